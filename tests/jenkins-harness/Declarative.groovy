/*
 * Declarative Pipeline: `pipeline { }` is first read into a model (agent,
 * options, parameters, environment, stages, post), then run as Jenkins runs
 * it: parameters and environment, the implicit checkout, each stage (its
 * `input` directive, `when`, environment, options, steps, post) with the
 * stages after a failure or an abort skipped, then the pipeline's post
 * conditions. A directive or option the harness does not model is an error,
 * so a typo never passes silently.
 */
class Declarative {

    static void run(PipelineScript script, Closure body) {
        Harness h = Harness.current
        PipelineDsl model = new PipelineDsl()
        collect(body, model)
        if (model.stages == null) {
            throw new HarnessError('pipeline: no stages')
        }
        if (model.agent == null) {
            throw new HarnessError('pipeline: no agent')
        }
        h.report.options = model.options.names
        h.declareParameters(model.parameters?.definitions ?: [])
        try {
            if (model.environment) {
                applyEnvironment(script, model.environment)
            }
            if (!model.options.names.contains('skipDefaultCheckout')) {
                h.checkout()
            }
            runStages(script, model.stages.stages)
        } catch (HarnessError e) {
            throw e
        } catch (Throwable e) {
            h.fail(e)
        }
        if (model.post) {
            runPost(script, model.post, 'pipeline')
        }
    }

    /* Reads a directive's block into its model object. */
    static void collect(Closure body, Object model) {
        Closure c = body.rehydrate(model, body.owner, body.thisObject)
        c.resolveStrategy = Closure.DELEGATE_FIRST
        c.call()
    }

    /* Runs a block of steps with the script's steps and variables in scope. */
    static Object steps(PipelineScript script, Closure body) {
        Closure c = body.rehydrate(script, script, script)
        c.resolveStrategy = Closure.OWNER_FIRST
        return c.call()
    }

    /* environment { NAME = value }: evaluated in order, each visible to the next. */
    static void applyEnvironment(PipelineScript script, Closure body) {
        EnvironmentDsl dsl = new EnvironmentDsl(script)
        Closure c = body.rehydrate(dsl, script, script)
        c.resolveStrategy = Closure.DELEGATE_FIRST
        c.call()
    }

    static void runStages(PipelineScript script, List<StageDsl> stages) {
        Harness h = Harness.current
        for (StageDsl stage : stages) {
            Map entry = [name: stage.name, status: 'running']
            h.report.stages << entry
            String worst = h.currentBuild.currentResult
            if (worst in ['FAILURE', 'ABORTED']) {
                h.log("Stage \"${stage.name}\" skipped due to earlier failure(s)")
                entry.status = 'skipped'
                continue
            }
            h.log("[Pipeline] { (${stage.name})")
            Map<String, String> saved = new LinkedHashMap<String, String>(h.env)
            try {
                if (stage.input) {
                    InputDsl input = new InputDsl(script)
                    Closure c = stage.input.rehydrate(input, script, script)
                    c.resolveStrategy = Closure.DELEGATE_FIRST
                    c.call()
                    String submitter = h.input(input.values())
                    String parameter = input.values().submitterParameter
                    if (parameter) {
                        h.env[parameter] = submitter
                    }
                }
                if (stage.when && !stage.when.passes(script)) {
                    h.log("Stage \"${stage.name}\" skipped due to when conditional")
                    entry.status = 'skipped'
                    continue
                }
                if (stage.environment) {
                    applyEnvironment(script, stage.environment)
                }
                if (stage.steps == null) {
                    throw new HarnessError("stage ${stage.name}: no steps")
                }
                if (stage.options?.timeout) {
                    h.timeout(stage.options.timeout, { steps(script, stage.steps) })
                } else {
                    steps(script, stage.steps)
                }
                entry.status = 'success'
            } catch (HarnessError e) {
                throw e
            } catch (Throwable e) {
                entry.status = e instanceof AbortError ? 'aborted' : 'failed'
                h.fail(e)
            } finally {
                if (stage.post) {
                    runPost(script, stage.post, stage.name)
                }
                h.env.clear()
                h.env.putAll(saved)
                h.log('[Pipeline] }')
            }
            if (entry.status == 'success' && h.currentBuild.currentResult == 'UNSTABLE') {
                entry.status = 'unstable'
            }
        }
    }

    /* Post conditions in Jenkins' order; a failing post block fails the build. */
    static void runPost(PipelineScript script, PostDsl post, String where) {
        Harness h = Harness.current
        for (String condition : PostDsl.ORDER) {
            Closure block = post.blocks[condition]
            if (block == null || !PostDsl.holds(condition, h.currentBuild.currentResult)) {
                continue
            }
            h.log("[Pipeline] post (${where}): ${condition}")
            try {
                steps(script, block)
            } catch (HarnessError e) {
                throw e
            } catch (Throwable e) {
                h.fail(e)
            }
        }
    }
}

/* A model object whose unknown directives are errors, not silently ignored. */
class Directive {
    String where

    def methodMissing(String name, Object args) {
        throw new HarnessError("${where}: '${name}' is not a directive the harness models")
    }
}

class PipelineDsl extends Directive {
    Object agent
    OptionsDsl options = new OptionsDsl('options')
    ParametersDsl parameters
    Closure environment
    StagesDsl stages
    PostDsl post

    PipelineDsl() { where = 'pipeline' }

    String getAny() { return 'any' }
    String getNone() { return 'none' }

    void agent(Object a) { agent = a instanceof Closure ? 'closure' : a }
    void options(Closure body) { Declarative.collect(body, options) }
    void parameters(Closure body) { parameters = new ParametersDsl(); Declarative.collect(body, parameters) }
    void environment(Closure body) { environment = body }
    void stages(Closure body) { stages = new StagesDsl(); Declarative.collect(body, stages) }
    void post(Closure body) { post = new PostDsl(); Declarative.collect(body, post) }
}

class OptionsDsl extends Directive {
    static final List<String> KNOWN = ['disableConcurrentBuilds', 'buildDiscarder', 'timestamps',
            'skipDefaultCheckout', 'timeout', 'durabilityHint', 'disableResume', 'quietPeriod']
    List<String> names = []
    Map timeout

    OptionsDsl(String where) { this.where = where }

    Object logRotator(Map args) { return [logRotator: args] }

    def methodMissing(String name, Object args) {
        if (!(name in KNOWN)) {
            throw new HarnessError("${where}: '${name}' is not an option the harness models")
        }
        names << name
        if (name == 'timeout') {
            timeout = (args as List)[0] as Map
        }
        return null
    }
}

class ParametersDsl extends Directive {
    List<Map> definitions = []

    ParametersDsl() { where = 'parameters' }

    private void add(String type, Map args) {
        if (!args.name) {
            throw new HarnessError("parameters: ${type} without a name")
        }
        definitions << ([type: type] + args)
    }

    void string(Map args) { add('string', args) }
    void text(Map args) { add('text', args) }
    void booleanParam(Map args) { add('booleanParam', args) }
    void choice(Map args) { add('choice', args) }
}

class EnvironmentDsl {
    final PipelineScript script

    EnvironmentDsl(PipelineScript script) { this.script = script }

    void setProperty(String name, Object value) {
        Harness.current.env[name] = String.valueOf(value)
    }

    /* Names the block reads resolve as in the pipeline (params, env, ...). */
    Object getProperty(String name) {
        return script.getProperty(name)
    }

    def methodMissing(String name, Object args) {
        throw new HarnessError("environment: '${name}' is not modelled (credentials are not)")
    }
}

class StagesDsl extends Directive {
    List<StageDsl> stages = []

    StagesDsl() { where = 'stages' }

    void stage(String name, Closure body) {
        StageDsl s = new StageDsl(name)
        Declarative.collect(body, s)
        stages << s
    }
}

class StageDsl extends Directive {
    String name
    Closure steps
    Closure input
    Closure environment
    WhenDsl when
    OptionsDsl options
    PostDsl post

    StageDsl(String name) {
        this.name = name
        where = "stage ${name}"
    }

    String getAny() { return 'any' }

    void agent(Object a) { }
    void steps(Closure body) { steps = body }
    void input(Closure body) { input = body }
    void environment(Closure body) { environment = body }
    void when(Closure body) { when = new WhenDsl(); Declarative.collect(body, when) }
    void options(Closure body) { options = new OptionsDsl("stage ${name} options"); Declarative.collect(body, options) }
    void post(Closure body) { post = new PostDsl(); Declarative.collect(body, post) }
}

class WhenDsl extends Directive {
    List<Closure> expressions = []

    WhenDsl() { where = 'when' }

    void expression(Closure body) { expressions << body }

    boolean passes(PipelineScript script) {
        return expressions.every { Declarative.steps(script, it) }
    }
}

/* input { message '...'; ok '...'; submitter '...'; submitterParameter 'NAME' } */
class InputDsl {
    final PipelineScript script
    final Map<String, Object> fields = [:]

    InputDsl(PipelineScript script) { this.script = script }

    Map values() {
        return new LinkedHashMap(fields)
    }

    Object getProperty(String name) {
        return script.getProperty(name)
    }

    def methodMissing(String name, Object args) {
        if (!(name in ['message', 'id', 'ok', 'submitter', 'submitterParameter'])) {
            throw new HarnessError("input: '${name}' is not modelled")
        }
        fields[name] = (args as List)[0]?.toString()
        return null
    }
}

class PostDsl extends Directive {
    static final List<String> ORDER = ['always', 'aborted', 'failure', 'success', 'unstable', 'unsuccessful', 'cleanup']
    Map<String, Closure> blocks = [:]

    PostDsl() { where = 'post' }

    static boolean holds(String condition, String result) {
        switch (condition) {
            case 'always': return true
            case 'cleanup': return true
            case 'aborted': return result == 'ABORTED'
            case 'failure': return result == 'FAILURE'
            case 'success': return result == 'SUCCESS'
            case 'unstable': return result == 'UNSTABLE'
            case 'unsuccessful': return result != 'SUCCESS'
        }
        return false
    }

    def methodMissing(String name, Object args) {
        List a = args as List
        if (!(name in ORDER) || a.size() != 1 || !(a[0] instanceof Closure)) {
            throw new HarnessError("post: '${name}' is not a condition the harness models")
        }
        blocks[name] = a[0]
        return null
    }
}

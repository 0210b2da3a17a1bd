import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import groovy.io.FileType
import org.codehaus.groovy.runtime.StackTraceUtils
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.MultipleCompilationErrorsException

import java.nio.file.FileSystems
import java.nio.file.Files
import java.nio.file.PathMatcher
import java.nio.file.StandardCopyOption

/*
 * One Jenkins build, run under plain Groovy: the workspace, the environment,
 * the parameters, the build's result, the shared libraries, and the steps
 * whose effects a test checks. `sh` really runs /bin/sh -xe, as Jenkins
 * does; `input` is answered from the environment; `junit` parses the
 * report and marks the build UNSTABLE on failures; `archiveArtifacts`
 * copies into HARNESS_OUT/archive. At the end HARNESS_OUT/build.json holds
 * the result, the stages, the reports, the archived files and the inputs.
 *
 * Environment:
 *   HARNESS_OUT             where build.json and archive/ go (required)
 *   HARNESS_LIBRARIES       NAME=DIR,... shared libraries (vars/, src/) by name
 *   HARNESS_TOOLS           a directory put first on the build's PATH
 *   HARNESS_SCM             a directory copied into the workspace, as the
 *                           declarative pipeline's implicit `checkout scm`
 *   HARNESS_APPROVER        who answers `input`: empty rejects (ABORTED)
 *   HARNESS_APPROVER_GROUPS the approver's groups, for `submitter`
 *   HARNESS_JOB, HARNESS_BUILD_NUMBER   JOB_NAME and BUILD_NUMBER
 *   HARNESS_CREDENTIALS     the credentials store, for withCredentials:
 *                           {"ID": {"username": "...", "password": "..."}}
 */
class Harness {

    static Harness current

    static final List<String> RESULTS = ['SUCCESS', 'UNSTABLE', 'FAILURE', 'NOT_BUILT', 'ABORTED']
    static final Map<String, Integer> EXIT = [SUCCESS: 0, FAILURE: 1, UNSTABLE: 3, ABORTED: 4, NOT_BUILT: 5]

    final File workspace
    final File out
    final Map env = new EnvVars()
    final Map<String, Object> params = [:]
    final CurrentBuild currentBuild = new CurrentBuild()
    final Map<String, File> libraries = [:]
    final Map<String, Object> globals = [:]
    final Map report = [result: null, stages: [], junit: [], archived: [], inputs: [], messages: []]
    private final List<File> dirs = []
    private GroovyShell shell

    /* Settings (HARNESS_*, and variables for the build's environment) over the process environment. */
    final Map<String, String> settings
    /* The console: stdout, or a file that the shell steps append to as well. */
    final File consoleFile
    private final PrintStream console

    Harness(File workspace, File out, Map<String, String> settings, File consoleFile) {
        this.workspace = workspace.canonicalFile
        this.out = out
        this.settings = settings
        this.consoleFile = consoleFile
        this.console = consoleFile ? new PrintStream(new FileOutputStream(consoleFile, true), true, 'UTF-8') : System.out
        dirs << this.workspace
    }

    String setting(String name) {
        return settings.containsKey(name) ? settings[name] : System.getenv(name)
    }

    /*
     * run.groovy PIPELINE [NAME=VALUE]...: one build in the current directory.
     * run.groovy --batch JOBS.json: builds one after the other in one JVM (it
     * starts slowly), each {"name", "dir", "pipeline", "params": {}, "env": {}}
     * with its console in HARNESS_OUT/console.log; prints NAME RESULT lines.
     */
    static int main(String[] args) {
        if (args.length == 2 && args[0] == '--batch') {
            int status = 0
            new JsonSlurper().parse(new File(args[1])).each { Map job ->
                Map<String, String> settings = (job.env ?: [:]).collectEntries { k, v -> [(k): v.toString()] }
                File out = new File(settings.HARNESS_OUT)
                out.mkdirs()
                Harness h = new Harness(new File(job.dir), out, settings, new File(out, 'console.log'))
                List<String> params = (job.params ?: [:]).collect { k, v -> "${k}=${v}".toString() }
                int code = runOne(h, new File(job.pipeline), params)
                System.out.println("${job.name} ${code == 2 ? 'HARNESS-ERROR' : h.report.result}")
                status = Math.max(status, code == 2 ? 2 : 0)
            }
            return status
        }
        if (args.length < 1 || !System.getenv('HARNESS_OUT')) {
            System.err.println('usage: HARNESS_OUT=DIR groovy run.groovy PIPELINE [NAME=VALUE]...')
            System.err.println('       groovy run.groovy --batch JOBS.json')
            return 2
        }
        Harness h = new Harness(new File(System.getProperty('user.dir')), new File(System.getenv('HARNESS_OUT')), [:], null)
        return runOne(h, new File(args[0]), args.length > 1 ? args[1..-1] as List : [])
    }

    private static int runOne(Harness h, File pipeline, List<String> params) {
        current = h
        try {
            return h.build(pipeline, params)
        } catch (HarnessError e) {
            h.log("harness: ${e.message}")
            if (h.consoleFile) {
                System.err.println("harness: ${e.message}")
            }
            return 2
        }
    }

    int build(File pipeline, List<String> paramArgs) {
        out.mkdirs()
        setUpEnvironment()
        paramArgs.each { String arg ->
            int eq = arg.indexOf('=')
            if (eq < 1) {
                throw new HarnessError("parameter '${arg}' is not NAME=VALUE")
            }
            requestedParams[arg.substring(0, eq)] = arg.substring(eq + 1)
        }
        String source = pipeline.getText('UTF-8')
        loadLibraries(source)
        Script script
        try {
            script = shell.parse(source, 'WorkflowScript')
        } catch (MultipleCompilationErrorsException e) {
            throw new HarnessError("${pipeline}: does not compile:\n${e.message}")
        }
        try {
            script.run()
            if (declared == null && !requestedParams.isEmpty()) {
                throw new HarnessError('parameters given to a pipeline that declares none')
            }
        } catch (HarnessError e) {
            throw e
        } catch (Throwable e) {
            fail(e)
        }
        String result = currentBuild.result ?: 'SUCCESS'
        report.result = result
        new File(out, 'build.json').setText(JsonOutput.prettyPrint(JsonOutput.toJson(report)) + '\n', 'UTF-8')
        log("Finished: ${result}")
        return EXIT[result]
    }

    /* The parameters given on the command line, until the pipeline declares its own. */
    final Map<String, String> requestedParams = [:]
    List<Map> declared

    /* parameters { }: defaults, overridden by the command line; Jenkins also puts them in env. */
    void declareParameters(List<Map> definitions) {
        declared = definitions
        Set<String> names = definitions*.name as Set
        requestedParams.keySet().each { String name ->
            if (!names.contains(name)) {
                throw new HarnessError("parameter '${name}' is not declared by the pipeline")
            }
        }
        definitions.each { Map d ->
            Object value = requestedParams.containsKey(d.name) ? requestedParams[d.name] : d.defaultValue
            if (d.type == 'booleanParam') {
                value = value in [true, 'true']
            } else if (d.type == 'choice') {
                List choices = d.choices instanceof List ? d.choices : d.choices.toString().readLines()
                value = requestedParams.containsKey(d.name) ? value : choices[0]
                if (!choices.contains(value)) {
                    throw new HarnessError("parameter ${d.name}: '${value}' is not one of ${choices}")
                }
            }
            params[d.name] = value
            env[d.name] = String.valueOf(value ?: '')
        }
    }

    private void setUpEnvironment() {
        env.putAll(System.getenv())
        env.putAll(settings)
        String job = setting('HARNESS_JOB') ?: 'mlgate'
        String number = setting('HARNESS_BUILD_NUMBER') ?: '1'
        env.JENKINS_URL = 'http://jenkins.invalid/'
        env.JOB_NAME = job
        env.BUILD_NUMBER = number
        env.BUILD_ID = number
        env.BUILD_TAG = "jenkins-${job}-${number}"
        env.BUILD_URL = "http://jenkins.invalid/job/${job}/${number}/"
        env.NODE_NAME = 'built-in'
        env.WORKSPACE = workspace.path
        currentBuild.number = number as int
        if (setting('HARNESS_TOOLS')) {
            env.PATH = setting('HARNESS_TOOLS') + ':' + env.PATH
        }
    }

    /* The implicit `checkout scm` of a declarative pipeline. */
    void checkout() {
        String scm = setting('HARNESS_SCM')
        if (!scm) {
            return
        }
        log('[Pipeline] checkout')
        File from = new File(scm).canonicalFile
        from.eachFileRecurse(FileType.ANY) { File f ->
            File to = new File(workspace, from.toPath().relativize(f.toPath()).toString())
            if (f.directory) {
                to.mkdirs()
            } else {
                to.parentFile.mkdirs()
                Files.copy(f.toPath(), to.toPath(), StandardCopyOption.REPLACE_EXISTING)
            }
        }
    }

    /* @Library('name') and @Library(['a', 'b@v1']): each name must be configured. */
    private void loadLibraries(String source) {
        Map<String, File> configured = [:]
        (setting('HARNESS_LIBRARIES') ?: '').split(',').each { String spec ->
            if (spec) {
                String[] kv = spec.split('=', 2)
                configured[kv[0]] = new File(kv[1])
            }
        }
        CompilerConfiguration conf = new CompilerConfiguration()
        conf.scriptBaseClass = 'PipelineScript'
        shell = new GroovyShell(Harness.classLoader, new Binding(), conf)
        def annotation = source =~ /@Library\(\s*(\[[^\]]*\]|'[^']*'|"[^"]*")/
        annotation.each { List m ->
            (m[1] =~ /['"]([^'"]+)['"]/).each { List n ->
                String name = n[1].split('@')[0]
                if (!configured.containsKey(name)) {
                    throw new HarnessError("library '${name}' is not configured in HARNESS_LIBRARIES")
                }
                File root = configured[name]
                libraries[name] = root
                if (new File(root, 'src').directory) {
                    shell.classLoader.addClasspath(new File(root, 'src').path)
                }
                log("Loading library ${name} from ${root}")
            }
        }
    }

    /* A shared library's global variable: vars/NAME.groovy, one instance per build. */
    Object globalVariable(String name) {
        if (globals.containsKey(name)) {
            return globals[name]
        }
        for (File root : libraries.values()) {
            File file = new File(root, "vars/${name}.groovy")
            if (file.file) {
                Script var = shell.parse(file.getText('UTF-8'), name)
                globals[name] = var
                return var
            }
        }
        return null
    }

    /* A bare name in a script: a library's global variable, else an environment variable. */
    Object lookup(String name) {
        Object global = globalVariable(name)
        return global != null ? global : env[name]
    }

    void log(String line) {
        console.println(line)
        console.flush()
    }

    File cwd() {
        return dirs[-1]
    }

    File file(String path) {
        File f = new File(path)
        return f.absolute ? f : new File(cwd(), path)
    }

    /* Records why the build failed, as Jenkins' log does. */
    void fail(Throwable e) {
        if (e instanceof AbortError) {
            log("Aborted: ${e.message}")
            currentBuild.result = 'ABORTED'
        } else if (e instanceof StepError) {
            log("ERROR: ${e.message}")
            report.messages << [level: 'error', text: e.message]
            currentBuild.result = 'FAILURE'
        } else {
            log("ERROR: ${e}")
            StackTraceElement[] frames = StackTraceUtils.sanitize(e).stackTrace
            frames.take(12).each { log("\tat ${it}") }
            report.messages << [level: 'error', text: e.toString()]
            currentBuild.result = 'FAILURE'
        }
    }

    Object scriptedStage(String name, Closure body) {
        log("[Pipeline] { (${name})")
        Map entry = [name: name, status: 'running']
        report.stages << entry
        String before = currentBuild.currentResult
        try {
            Object value = body.call()
            entry.status = currentBuild.currentResult == 'UNSTABLE' && before == 'SUCCESS' ? 'unstable' : 'success'
            return value
        } catch (Throwable e) {
            entry.status = 'failed'
            throw e
        } finally {
            log('[Pipeline] }')
        }
    }

    private static Map options(Object arg, String key, List<String> known, String step) {
        Map opts = arg instanceof Map ? arg : [(key): arg]
        opts.keySet().each { Object k ->
            if (!(k in known)) {
                throw new HarnessError("${step}: unknown argument '${k}'")
            }
        }
        if (opts[key] == null) {
            throw new HarnessError("${step}: '${key}' is required")
        }
        return opts
    }

    Object sh(Object arg) {
        Map opts = options(arg, 'script', ['script', 'returnStdout', 'returnStatus', 'label', 'encoding'], 'sh')
        log('[Pipeline] sh' + (opts.label ? " (${opts.label})" : ''))
        File script = File.createTempFile('harness-', '.sh')
        try {
            script.setText(opts.script.toString(), 'UTF-8')
            ProcessBuilder pb = new ProcessBuilder('/bin/sh', '-xe', script.path)
            pb.directory(cwd())
            pb.environment().clear()
            pb.environment().putAll(env)
            pb.redirectInput(new File('/dev/null'))
            ProcessBuilder.Redirect log = consoleFile ? ProcessBuilder.Redirect.appendTo(consoleFile)
                    : ProcessBuilder.Redirect.INHERIT
            pb.redirectError(log)
            pb.redirectOutput(opts.returnStdout ? ProcessBuilder.Redirect.PIPE : log)
            console.flush()
            Process p = pb.start()
            String stdout = opts.returnStdout ? p.inputStream.getText('UTF-8') : null
            int status = p.waitFor()
            if (opts.returnStatus) {
                return status
            }
            if (status != 0) {
                throw new StepError("script returned exit code ${status}")
            }
            return stdout
        } finally {
            script.delete()
        }
    }

    Object dir(String path, Closure body) {
        File d = file(path).canonicalFile
        d.mkdirs()
        dirs << d
        try {
            return body.call()
        } finally {
            dirs.remove(dirs.size() - 1)
        }
    }

    void unstable(Object arg) {
        Map opts = options(arg, 'message', ['message'], 'unstable')
        log("WARNING: ${opts.message}")
        report.messages << [level: 'unstable', text: opts.message.toString()]
        currentBuild.result = 'UNSTABLE'
    }

    Object readJSON(Map args) {
        if ((args.file == null) == (args.text == null) || !(args.keySet() - ['file', 'text', 'returnPojo']).isEmpty()) {
            throw new HarnessError("readJSON: give 'file' or 'text'")
        }
        String text = args.file != null ? file(args.file.toString()).getText('UTF-8') : args.text.toString()
        return new JsonSlurper().parseText(text)
    }

    String readFile(Object arg) {
        Map opts = options(arg, 'file', ['file', 'encoding'], 'readFile')
        File f = file(opts.file.toString())
        if (!f.file) {
            throw new StepError("${f}: no such file")
        }
        return f.getText('UTF-8')
    }

    void writeFile(Map args) {
        options(args, 'file', ['file', 'text', 'encoding'], 'writeFile')
        File f = file(args.file.toString())
        f.parentFile.mkdirs()
        f.setText(args.text.toString(), 'UTF-8')
    }

    /* Workspace files (relative paths, sorted) matching Ant patterns, comma-separated. */
    List<String> glob(String includes, String excludes) {
        List<PathMatcher> inc = patterns(includes)
        List<PathMatcher> exc = patterns(excludes)
        List<String> found = []
        File base = cwd()
        base.eachFileRecurse(FileType.FILES) { File f ->
            def rel = base.toPath().relativize(f.toPath())
            if (inc.any { it.matches(rel) } && !exc.any { it.matches(rel) }) {
                found << rel.toString()
            }
        }
        return found.sort()
    }

    private static List<PathMatcher> patterns(String spec) {
        List<PathMatcher> list = []
        (spec ?: '').split(',').each { String p ->
            p = p.trim()
            if (!p) {
                return
            }
            if (p.endsWith('/')) {
                p += '**'
            }
            list << FileSystems.default.getPathMatcher('glob:' + p)
            if (p.startsWith('**/')) {
                list << FileSystems.default.getPathMatcher('glob:' + p.substring(3))
            }
        }
        return list
    }

    Object junit(Object arg) {
        Map opts = options(arg, 'testResults',
                ['testResults', 'allowEmptyResults', 'skipMarkingBuildUnstable', 'skipPublishingChecks', 'keepLongStdio'], 'junit')
        List<String> files = glob(opts.testResults.toString(), null)
        if (files.isEmpty() && !opts.allowEmptyResults) {
            throw new StepError("No test report files were found. Configuration error? (${opts.testResults})")
        }
        int tests = 0, failed = 0, skipped = 0
        files.each { String rel ->
            def root = new XmlSlurper().parse(file(rel))
            if (!(root.name() in ['testsuites', 'testsuite'])) {
                throw new StepError("${rel}: not a JUnit report (root element '${root.name()}')")
            }
            List cases = []
            root.'**'.findAll { it.name() == 'testcase' }.each { tc ->
                if (tc.@name.text().isEmpty()) {
                    throw new StepError("${rel}: a testcase without a name")
                }
                String status = !tc.failure.isEmpty() ? 'failed' : !tc.error.isEmpty() ? 'error'
                        : !tc.skipped.isEmpty() ? 'skipped' : 'passed'
                String message = status == 'failed' ? tc.failure.@message.text() : null
                cases << [name: tc.@name.text(), classname: tc.@classname.text(), status: status, message: message]
            }
            int f = cases.count { it.status in ['failed', 'error'] }
            int s = cases.count { it.status == 'skipped' }
            tests += cases.size()
            failed += f
            skipped += s
            report.junit << [file: rel, tests: cases.size(), failures: f, skipped: s, cases: cases]
            log("[junit] ${rel}: ${cases.size()} tests, ${f} failed, ${s} skipped")
        }
        if (failed > 0 && !opts.skipMarkingBuildUnstable) {
            currentBuild.result = 'UNSTABLE'
        }
        return [totalCount: tests, failCount: failed, skipCount: skipped, passCount: tests - failed - skipped]
    }

    void archiveArtifacts(Object arg) {
        Map opts = options(arg, 'artifacts', ['artifacts', 'excludes', 'allowEmptyArchive', 'fingerprint',
                'onlyIfSuccessful', 'defaultExcludes', 'caseSensitive', 'followSymlinks'], 'archiveArtifacts')
        if (opts.onlyIfSuccessful && currentBuild.result && currentBuild.result != 'SUCCESS') {
            log("[archiveArtifacts] skipped: the build is ${currentBuild.result}")
            return
        }
        List<String> files = glob(opts.artifacts.toString(), opts.excludes?.toString())
        if (files.isEmpty() && !opts.allowEmptyArchive) {
            throw new StepError("No artifacts found that match the file pattern \"${opts.artifacts}\"")
        }
        files.each { String rel ->
            File to = new File(out, "archive/${rel}")
            to.parentFile.mkdirs()
            Files.copy(file(rel).toPath(), to.toPath(), StandardCopyOption.REPLACE_EXISTING)
            if (!report.archived.contains(rel)) {
                report.archived << rel
            }
        }
        log("[archiveArtifacts] ${files.size()} files: ${opts.artifacts}")
    }

    /*
     * HARNESS_APPROVER answers; empty, or not among `submitter` (names or the
     * approver's groups), rejects. Returns what Jenkins returns: the submitter
     * when submitterParameter is the only value asked for, else null.
     */
    Object input(Object arg) {
        Map opts = options(arg, 'message', ['message', 'id', 'ok', 'submitter', 'submitterParameter', 'parameters'], 'input')
        if (opts.parameters) {
            throw new HarnessError('input: parameters are not modelled')
        }
        String approver = setting('HARNESS_APPROVER') ?: ''
        report.inputs << [message: opts.message.toString(), ok: opts.ok?.toString(), submitter: opts.submitter?.toString(),
                submitterParameter: opts.submitterParameter?.toString(), approver: approver ?: null]
        log("[Pipeline] input: ${opts.message}" + (opts.ok ? " [${opts.ok}]" : ''))
        if (!approver) {
            throw new AbortError('input rejected (HARNESS_APPROVER is empty)')
        }
        if (opts.submitter) {
            List<String> allowed = opts.submitter.toString().split(',')*.trim()
            List<String> groups = (setting('HARNESS_APPROVER_GROUPS') ?: '').split(',')*.trim()
            if (!allowed.contains(approver) && !allowed.any { it in groups }) {
                throw new AbortError("${approver} may not approve (submitter: ${opts.submitter})")
            }
        }
        log("Approved by ${approver}")
        return opts.submitterParameter ? approver : null
    }

    Object timeout(Map args, Closure body) {
        if (!(args.time instanceof Number) || !(args.unit in [null, 'SECONDS', 'MINUTES', 'HOURS', 'DAYS'])) {
            throw new HarnessError("timeout: bad arguments ${args}")
        }
        return body.call()
    }

    Map usernamePassword(Map args) {
        return Bindings.usernamePassword(args)
    }

    /* Runs body with each binding's variables set from HARNESS_CREDENTIALS. */
    Object withCredentials(List bindings, Closure body) {
        String json = setting('HARNESS_CREDENTIALS') ?: '{}'
        Map store = (Map) new groovy.json.JsonSlurper().parseText(json)
        List vars = []
        bindings.each { Map b ->
            Map c = (Map) store[b.credentialsId]
            if (c == null) {
                throw new StepError("withCredentials: no credentials with id '${b.credentialsId}'")
            }
            log("[Pipeline] withCredentials (${b.credentialsId})")
            vars << "${b.usernameVariable}=${c.username}"
            vars << "${b.passwordVariable}=${c.password}"
        }
        return withEnv(vars, body)
    }

    /* Runs body with NAME=VALUE set, and the environment as it was afterwards. */
    Object withEnv(List vars, Closure body) {
        Map<String, String> saved = new LinkedHashMap<String, String>(env)
        try {
            vars.each { Object v ->
                String[] kv = v.toString().split('=', 2)
                env[kv[0]] = kv.length > 1 ? kv[1] : ''
            }
            return body.call()
        } finally {
            env.clear()
            env.putAll(saved)
        }
    }
}

/* Credentials bindings, as the Credentials Binding plugin has them. */
class Bindings {
    static Map usernamePassword(Map args) {
        ['credentialsId', 'usernameVariable', 'passwordVariable'].each { String k ->
            if (!args[k]) {
                throw new HarnessError("usernamePassword: '${k}' is required")
            }
        }
        return [kind: 'usernamePassword'] + args
    }
}

/* env: values are strings, as in Jenkins; setting null removes. */
class EnvVars extends LinkedHashMap {
    Object put(Object key, Object value) {
        return value == null ? remove(key.toString()) : super.put(key.toString(), value.toString())
    }
}

/* currentBuild: a result only ever gets worse. */
class CurrentBuild {
    String result
    int number
    String description
    String displayName

    void setResult(String r) {
        if (!(r in Harness.RESULTS)) {
            throw new StepError("currentBuild.result: '${r}' is not a result")
        }
        if (result == null || Harness.RESULTS.indexOf(r) > Harness.RESULTS.indexOf(result)) {
            result = r
        }
    }

    String getCurrentResult() {
        return result ?: 'SUCCESS'
    }

    boolean resultIsWorseOrEqualTo(String r) {
        return Harness.RESULTS.indexOf(getCurrentResult()) >= Harness.RESULTS.indexOf(r)
    }
}

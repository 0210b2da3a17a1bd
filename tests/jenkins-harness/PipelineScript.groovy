/*
 * The base class of every script the harness compiles (the pipeline and the
 * shared library's vars/*.groovy): the Jenkins steps and global variables a
 * pipeline sees, each handed to the build's Harness. Names that are neither
 * resolve as Jenkins resolves them: a shared library's global variable
 * (`mlSnapshot(...)` calls its `call`), then an environment variable.
 */
abstract class PipelineScript extends Script {

    Object getProperty(String name) {
        try {
            return super.getProperty(name)
        } catch (MissingPropertyException e) {
            Object value = Harness.current.lookup(name)
            if (value == null) {
                throw e
            }
            return value
        }
    }

    def methodMissing(String name, Object args) {
        Object global = Harness.current.globalVariable(name)
        if (global == null) {
            throw new MissingMethodException(name, getClass(), args as Object[])
        }
        return global.invokeMethod('call', args)
    }

    Map getEnv() { return Harness.current.env }
    Map getParams() { return Harness.current.params.asImmutable() }
    Object getCurrentBuild() { return Harness.current.currentBuild }

    // Declarative and scripted structure.
    void pipeline(Closure body) { Declarative.run(this, body) }
    Object node(Closure body) { return body.call() }
    Object node(String label, Closure body) { Harness.current.log("[Pipeline] node (${label})"); return body.call() }
    Object stage(String name, Closure body) { return Harness.current.scriptedStage(name, body) }
    Object script(Closure body) { return body.call() }

    // Steps.
    void echo(Object message) { Harness.current.log(String.valueOf(message)) }
    void error(Object message) { throw new StepError(String.valueOf(message)) }
    void unstable(Object arg) { Harness.current.unstable(arg) }
    Object sh(Object arg) { return Harness.current.sh(arg) }
    Object dir(Object path, Closure body) { return Harness.current.dir(String.valueOf(path), body) }
    String pwd() { return Harness.current.cwd().path }
    boolean isUnix() { return true }
    Object readJSON(Map args) { return Harness.current.readJSON(args) }
    String readFile(Object arg) { return Harness.current.readFile(arg) }
    void writeFile(Map args) { Harness.current.writeFile(args) }
    boolean fileExists(Object path) { return Harness.current.file(String.valueOf(path)).exists() }
    Object junit(Object arg) { return Harness.current.junit(arg) }
    void archiveArtifacts(Object arg) { Harness.current.archiveArtifacts(arg) }
    Object input(Object arg) { return Harness.current.input(arg) }
    Object timeout(Map args, Closure body) { return Harness.current.timeout(args, body) }
    Object withEnv(List vars, Closure body) { return Harness.current.withEnv(vars, body) }
    Map usernamePassword(Map args) { return Harness.current.usernamePassword(args) }
    Object withCredentials(List bindings, Closure body) { return Harness.current.withCredentials(bindings, body) }
}

/*
 * Stands in for Jenkins' org.jenkinsci.plugins.workflow.libs.Library, so that
 * `@Library('mlgate') _` compiles; the harness reads the names from the source.
 */
@interface Library {
    String[] value()
    boolean changelog() default true
}

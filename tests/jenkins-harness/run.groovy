/*
 * Runs a Jenkinsfile under plain Groovy with the Jenkins steps of Harness:
 *   HARNESS_OUT=DIR groovy -cp tests/jenkins-harness tests/jenkins-harness/run.groovy PIPELINE [NAME=VALUE]...
 * in the workspace (the current directory). Exit status: 0 SUCCESS,
 * 1 FAILURE, 3 UNSTABLE, 4 ABORTED, 2 the harness could not run it.
 */
System.exit(Harness.main(args))

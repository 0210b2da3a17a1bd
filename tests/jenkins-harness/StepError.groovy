/* A step failed, as Jenkins' AbortException: the build is a FAILURE, no stack trace. */
class StepError extends RuntimeException {
    StepError(String message) {
        super(message)
    }
}

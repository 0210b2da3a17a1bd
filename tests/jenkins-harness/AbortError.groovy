/* An input was rejected or timed out: the build is ABORTED. */
class AbortError extends RuntimeException {
    AbortError(String message) {
        super(message)
    }
}

/* The pipeline used something this harness does not model: the run is void (exit 2). */
class HarnessError extends RuntimeException {
    HarnessError(String message) {
        super(message)
    }
}

package mlgate

/**
 * Command lines for the mlgate tools, built so that no value a user gives is
 * ever parsed by the shell: every word is single-quoted (a ' inside is
 * written '\''), positional words come after "--", and the record on stdout
 * goes to a file named the same way. The steps in vars/ call only these.
 */
class Cli implements Serializable {

    private static final long serialVersionUID = 1L

    /** One shell word: 'text', with each ' written as '\''. */
    static String quote(Object word) {
        if (word == null) {
            throw new IllegalArgumentException('mlgate: a shell word is null')
        }
        return "'" + word.toString().replace("'", "'\\''") + "'"
    }

    /** The words as one line of quoted words. */
    static String join(List words) {
        StringBuilder line = new StringBuilder()
        for (Object word : words) {
            if (line.length() > 0) {
                line.append(' ')
            }
            line.append(quote(word))
        }
        return line.toString()
    }

    /**
     * The script for `sh`: the tool with its words, stdout to OUTPUT (its
     * directory made first), stdin from INPUT when given.
     */
    static String script(List words, String output, String input = null) {
        StringBuilder text = new StringBuilder()
        // Not java.io.File: a library loaded in the script sandbox may not use it.
        int slash = output.lastIndexOf('/')
        if (slash > 0) {
            text.append('mkdir -p -- ').append(quote(output.substring(0, slash))).append(' && ')
        }
        text.append(join(words))
        if (input != null) {
            text.append(' < ').append(quote(input))
        }
        text.append(' > ').append(quote(output))
        return text.toString()
    }

    /**
     * Rejects argument names the step does not take, so that a typo such as
     * `noBaseLine: true` fails the build instead of being ignored, and
     * requires the ones it cannot do without.
     */
    static void check(String step, Map args, List known, List required) {
        for (Object key : args.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException(
                        "${step}: unknown argument '${key}' (it takes: ${known.join(', ')})")
            }
        }
        for (Object key : required) {
            if (args[key] == null || args[key].toString().isEmpty()) {
                throw new IllegalArgumentException("${step}: argument '${key}' is required")
            }
        }
    }

    /** A value given as one item or a list, as a list (null: empty). */
    static List list(Object value) {
        if (value == null) {
            return []
        }
        return value instanceof List ? value : [value]
    }

    /** -p/-t style KEY=VALUE words from a map; a key may not hold '='. */
    static List pairs(String step, String flag, Map values) {
        List words = []
        for (Object key : (values ?: [:]).keySet()) {
            if (key.toString().isEmpty() || key.toString().contains('=')) {
                throw new IllegalArgumentException("${step}: '${key}' cannot be a key")
            }
            words.add(flag)
            words.add("${key}=${values[key]}".toString())
        }
        return words
    }
}

import mlgate.Cli

/**
 * mlEvalGate(baseline: 'records/live.json', candidate: 'records/run.json',
 * rules: ['f1 >= baseline + 0.01']): runs mleval-compare, writes the verdict
 * to OUTPUT and the JUnit report to JUNIT, publishes the report with `junit`,
 * and when the gate fails, fails the build (onFailure: 'error', the default)
 * or marks it UNSTABLE (onFailure: 'unstable'). Returns the verdict parsed.
 * See mlEvalGate.txt.
 */
Map call(Map args = [:]) {
    Cli.check('mlEvalGate', args, ['baseline', 'candidate', 'rules', 'policy', 'noBaseline', 'predictions',
            'candidateRun', 'baselineRecord', 'task', 'threshold', 'bootstrap', 'confidence', 'seed',
            'output', 'junit', 'markdown', 'onFailure', 'publish'], ['candidate'])
    String onFailure = args.onFailure ?: 'error'
    if (!(onFailure in ['error', 'unstable'])) {
        error("mlEvalGate: onFailure is 'error' or 'unstable', not '${onFailure}'")
    }
    if (!args.rules && !args.policy) {
        error("mlEvalGate: give 'rules' or 'policy': a gate without rules passes anything")
    }
    String output = args.output ?: 'verdict.json'
    String junitFile = args.junit ?: 'gate-junit.xml'
    List words = ['mleval-compare']
    if (args.predictions) {
        words << '--predictions'
    }
    Map flags = [candidateRun: '--candidate-run', baselineRecord: '--baseline', task: '--task',
            threshold: '--threshold', bootstrap: '--bootstrap', confidence: '--confidence', seed: '--seed',
            policy: '--policy', markdown: '--markdown']
    for (Object key : flags.keySet()) {
        if (args[key] != null) {
            words += [flags[key], args[key]]
        }
    }
    for (Object rule : Cli.list(args.rules)) {
        words += ['--rule', rule]
    }
    words += ['--junit', junitFile]
    if (args.noBaseline) {
        words << '--no-baseline'
    }
    words << '--'
    if (args.baseline) {
        words << args.baseline
    }
    words << args.candidate
    int status = sh(label: 'mleval-compare', script: Cli.script(words, output), returnStatus: true)
    if (status > 1) {
        error("mlEvalGate: mleval-compare could not judge (exit ${status}); its message is above")
    }
    if (args.publish != false) {
        junit(testResults: junitFile, allowEmptyResults: false)
    }
    Map verdict = readJSON(file: output)
    if (status == 1) {
        List failed = []
        for (Map check : verdict.checks) {
            if (check.status == 'fail') {
                failed << "${check.rule} (${check.reason})"
            }
        }
        String message = "mlEvalGate: the gate failed: ${failed.join('; ')}; the verdict is in ${output}"
        if (onFailure == 'unstable') {
            unstable(message)
        } else {
            error(message)
        }
    }
    return verdict
}

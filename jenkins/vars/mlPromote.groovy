import mlgate.Cli

/**
 * mlPromote(command: 'promote', model: 'churn', version: env.BUILD_NUMBER,
 * verdict: 'records/verdict.json', approvedBy: env.APPROVER): runs one
 * mlpromote subcommand (status, publish, promote, rollback, pull), writes
 * the record it prints to OUTPUT and returns it parsed; fails the build
 * when mlpromote refuses. On an oci:// registry the "Username with
 * password" credentials CREDENTIALSID (or env.MLGATE_REGISTRY_CREDENTIALS)
 * reach mlpromote as MLGATE_OCI_USERNAME / MLGATE_OCI_PASSWORD, never
 * through a Groovy string. See mlPromote.txt.
 */
Map call(Map args = [:]) {
    Map commands = [
        status: [known: ['stage'], required: ['model'], output: 'status.json'],
        publish: [known: ['version', 'run', 'dir', 'files'], required: ['model', 'version', 'files'],
                  output: 'model.json'],
        promote: [known: ['version', 'stage', 'verdict', 'approvedBy', 'expect', 'force', 'reason', 'sign'],
                  required: ['model', 'version'], output: 'pointer.json'],
        rollback: [known: ['stage', 'to', 'expect', 'sign'], required: ['model'], output: 'pointer.json'],
        pull: [known: ['stage', 'version', 'into'], required: ['model', 'into'], output: 'pulled.json'],
    ]
    Map spec = commands[args.command]
    if (spec == null) {
        error("mlPromote: command is one of ${commands.keySet().join(', ')}, not '${args.command}'")
    }
    String step = "mlPromote ${args.command}"
    Cli.check(step, args, ['command', 'registry', 'credentialsId', 'model', 'output'] + spec.known,
              spec.required)
    String output = args.output ?: spec.output
    List words = ['mlpromote', args.command]
    Map flags = [registry: '--registry', model: '--model', version: '--version', stage: '--stage',
            run: '--run', dir: '-C', verdict: '--verdict', approvedBy: '--approved-by', expect: '--expect',
            reason: '--reason', to: '--to', sign: '--sign']
    for (Object key : flags.keySet()) {
        if (args[key] != null && args[key].toString() != '') {
            words += [flags[key], args[key]]
        }
    }
    if (args.force) {
        words << '--force'
    }
    words << '--'
    words += Cli.list(args.files)
    if (args.into) {
        words << args.into
    }
    String registry = (args.registry ?: env.MLGATE_REGISTRY ?: '').toString()
    String credentials = (args.credentialsId ?: env.MLGATE_REGISTRY_CREDENTIALS ?: '').toString()
    Closure run = {
        sh(label: "mlpromote ${args.command}", script: Cli.script(words, output), returnStatus: true)
    }
    int status
    if (registry.startsWith('oci://') && credentials) {
        withCredentials([usernamePassword(credentialsId: credentials, usernameVariable: 'MLGATE_OCI_USERNAME',
                                          passwordVariable: 'MLGATE_OCI_PASSWORD')]) {
            status = run()
        }
    } else {
        status = run()
    }
    if (status != 0) {
        error("${step}: mlpromote refused (exit ${status}); its message is above")
    }
    return readJSON(file: output)
}

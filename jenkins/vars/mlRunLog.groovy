import mlgate.Cli

/**
 * mlRunLog(command: ['python3', 'train.py'], data: 'records/snapshot.json',
 * artifacts: ['out/model.bin'], output: 'records/run.json'): runs the
 * training command under mlrun-log, writes the run record to OUTPUT and
 * returns it parsed; fails the build when the command fails.
 * See mlRunLog.txt.
 */
Map call(Map args = [:]) {
    Cli.check('mlRunLog', args, ['command', 'log', 'runDir', 'name', 'params', 'paramsFile', 'data',
            'artifacts', 'tags', 'force', 'output'], [])
    if ((args.command == null) == (args.log == null)) {
        error("mlRunLog: give either 'command' (to run) or 'log' (a training log to read)")
    }
    String output = args.output ?: 'run.json'
    List words = ['mlrun-log']
    if (args.runDir) {
        if ("${args.runDir}/run.json" == output) {
            error("mlRunLog: 'output' may not be the run directory's own run.json")
        }
        words += ['-d', args.runDir]
    }
    if (args.name) {
        words += ['-n', args.name]
    }
    if (args.paramsFile) {
        words += ['--params', args.paramsFile]
    }
    words += Cli.pairs('mlRunLog', '-p', args.params)
    if (args.data) {
        words += ['--data', args.data]
    }
    for (Object artifact : Cli.list(args.artifacts)) {
        words += ['-a', artifact]
    }
    words += Cli.pairs('mlRunLog', '-t', args.tags)
    if (args.force) {
        words << '--force'
    }
    if (args.command instanceof List) {
        words += ['--'] + args.command
    } else if (args.command != null) {
        // One string is a shell command line, run by sh -c as the user wrote it.
        words += ['--', 'sh', '-c', args.command]
    }
    int status = sh(label: 'mlrun-log', script: Cli.script(words, output, args.log), returnStatus: true)
    if (status != 0) {
        error("mlRunLog: the training run failed (exit ${status}); its log is above" +
                (fileExists(output) && readFile(output) ? ", its record in ${output}" : ''))
    }
    return readJSON(file: output)
}

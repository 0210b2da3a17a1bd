import mlgate.Cli

/**
 * mlSnapshot(dir: 'data', output: 'records/snapshot.json'): runs mlsnapshot
 * on DIR, writes its snapshot record to OUTPUT and returns it parsed.
 * See mlSnapshot.txt.
 */
Map call(Map args = [:]) {
    Cli.check('mlSnapshot', args, ['dir', 'output', 'archive', 'exclude', 'jobs', 'noCache'], ['dir'])
    String output = args.output ?: 'snapshot.json'
    List words = ['mlsnapshot']
    if (args.archive) {
        words += ['-o', args.archive]
    }
    for (Object glob : Cli.list(args.exclude)) {
        words += ['-x', glob]
    }
    if (args.jobs) {
        words += ['-j', args.jobs]
    }
    if (args.noCache) {
        words << '--no-cache'
    }
    words += ['--', args.dir]
    int status = sh(label: 'mlsnapshot', script: Cli.script(words, output), returnStatus: true)
    if (status != 0) {
        error("mlSnapshot: mlsnapshot failed (exit ${status}); its message is above")
    }
    return readJSON(file: output)
}

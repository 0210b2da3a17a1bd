#!/usr/bin/env bats
# mleval-compare --bootstrap: the paired bootstrap and rules judged on intervals.
bats_require_minimum_version 1.5.0
load helper

D=$TESTDATA/mleval-compare

gate() {
	mleval-compare --predictions --bootstrap 300 --seed 11 "$@"
}

@test "same seed, same verdict, bit for bit, whatever the number of threads" {
	for j in 1 2 3; do
		run -0 --separate-stderr gate -j "$j" --rule 'f1 >= baseline + 0.01' --rule 'roc_auc >= 0.8' \
			--rule 'brier <= baseline' "$D/binary-base.csv" "$D/binary-cand.csv"
		assert_equal "$stderr" ""
		keep_output "v$j.json"
		jq -c 'del(.created_at)' "v$j.json" > "c$j.json"
	done
	cmp c1.json c2.json
	cmp c1.json c3.json
	assert_equal "$(jq -c .bootstrap v1.json)" '{"confidence":0.95,"n":300,"seed":11}'
	run -0 mleval-compare --predictions --bootstrap 300 --seed 12 --rule 'f1 >= baseline + 0.01' \
		--rule 'roc_auc >= 0.8' --rule 'brier <= baseline' "$D/binary-base.csv" "$D/binary-cand.csv"
	[ "$(jq -c '.checks[0].interval' <<<"$output")" != "$(jq -c '.checks[0].interval' v1.json)" ]
}

@test "the bootstrap is paired: a model against itself has a zero-width delta" {
	run -0 gate --rule 'f1 >= baseline' --rule 'roc_auc >= baseline' "$D/binary-cand.csv" "$D/binary-cand.csv"
	keep_output verdict.json
	assert_equal "$(jq -c '[.checks[].interval]' verdict.json)" "[[0,0],[0,0]]"
	run -1 gate --rule 'f1 > baseline' "$D/binary-cand.csv" "$D/binary-cand.csv"
}

@test "a relative rule is judged on the lower bound of the paired delta" {
	run -0 mleval-compare --predictions --rule 'f1 >= baseline + 0.05' "$D/binary-base.csv" "$D/binary-cand.csv"
	assert_equal "$(jq -r '.checks[0].status' <<<"$output")" "pass"
	delta=$(jq -r '.checks[0].delta' <<<"$output")
	run -1 gate --rule 'f1 >= baseline + 0.05' "$D/binary-base.csv" "$D/binary-cand.csv"
	keep_output verdict.json
	run -0 jq -e --argjson d "$delta" '.checks[0] | .status == "fail" and .interval[0] < 0.05
		and .interval[0] < $d and $d < .interval[1] and .delta == $d' verdict.json
	assert_regex "$(jq -r '.checks[0].reason' verdict.json)" \
		'^95% interval of the delta \(candidate - baseline\) \[.*\]: lower bound .*, needs >= 0.05$'
}

@test "a floor is judged on the candidate's interval: lower bound for >=, upper for <=" {
	run -0 mleval-compare --predictions --no-baseline --rule 'roc_auc >= 0.86' --rule 'log_loss <= 0.46' \
		"$D/binary-cand.csv"
	run -1 gate --no-baseline --rule 'roc_auc >= 0.86' --rule 'log_loss <= 0.46' --rule 'f1 >= baseline' \
		"$D/binary-cand.csv"
	keep_output verdict.json
	run -0 jq -e '.checks[0].interval[0] < 0.86 and .checks[1].interval[1] > 0.46
		and .checks[0].status == "fail" and .checks[1].status == "fail"
		and .checks[2].status == "skipped" and .checks[2].interval == null' verdict.json
	assert_regex "$(jq -r '.checks[1].reason' verdict.json)" "^95% interval of the candidate .*: upper bound .*, needs <= 0.46$"
}

@test "baseline * k is judged on candidate - k * baseline" {
	run -0 gate --rule 'rmse <= baseline * 0.9' "$D/reg-base.csv" "$D/reg-cand.csv"
	keep_output verdict.json
	assert_regex "$(jq -r '.checks[0].reason' verdict.json)" \
		'^95% interval of candidate - 0.9 \* baseline \[.*\]: upper bound .* <= 0$'
	run -0 jq -e '.checks[0].interval[1] <= 0' verdict.json
}

@test "--confidence narrows or widens the interval" {
	run -0 gate --confidence 0.5 --rule 'mae <= baseline' "$D/reg-base.csv" "$D/reg-cand.csv"
	narrow=$(jq -r '.checks[0].interval | .[1] - .[0]' <<<"$output")
	assert_equal "$(jq -r '.bootstrap.confidence' <<<"$output")" "0.5"
	run -0 gate --confidence 0.99 --rule 'mae <= baseline' "$D/reg-base.csv" "$D/reg-cand.csv"
	wide=$(jq -r '.checks[0].interval | .[1] - .[0]' <<<"$output")
	assert_regex "$(jq -r '.checks[0].reason' <<<"$output")" "^99% interval"
	run -0 awk -v a="$narrow" -v b="$wide" 'BEGIN { exit !(a > 0 && a < b) }'
}

@test "multi-class: macro metrics resampled" {
	run -1 gate --rule 'f1 >= baseline' --rule 'accuracy >= 0.55' "$D/multi-base.csv" "$D/multi-cand.csv"
	keep_output verdict.json
	assert_equal "$(jq -r '[.checks[].status] | join(",")' verdict.json)" "fail,pass"
}

@test "a metric undefined in some resamples fails its rule, saying how often" {
	{ echo label,score; echo 1,0.9; for i in 1 2 3 4 5 6 7 8 9; do echo "0,0.$i"; done; } > rare.csv
	run -1 gate --no-baseline --rule 'roc_auc >= 0.5' --rule 'accuracy >= 0.1' rare.csv
	keep_output verdict.json
	assert_regex "$(jq -r '.checks[0].reason' verdict.json)" \
		"^metric 'roc_auc' is undefined in [0-9]+ of the bootstrap resamples$"
	assert_equal "$(jq -c '[.checks[0].interval, .checks[1].status]' verdict.json)" '[null,"pass"]'
}

@test "the interval shows in the markdown and table views" {
	run -0 gate --format markdown --rule 'f1 >= baseline' "$D/binary-base.csv" "$D/binary-cand.csv"
	assert_line --regexp '^\| ✅ \| `f1 >= baseline` \| 0\.67[0-9]* \| 0\.76[0-9]* \| \+0\.09[0-9]* \| \[0\.[0-9]+, 0\.[0-9]+\] \| 95% interval'
	run -0 gate --format table --rule 'f1 >= baseline' "$D/binary-base.csv" "$D/binary-cand.csv"
	assert_line --index 1 --regexp '^pass +f1 >= baseline +0\.67[0-9]* +0\.76[0-9]* +\+0\.09[0-9]* +\[0\.[0-9]+, 0\.[0-9]+\]$'
}

@test "bad bootstrap options are usage errors" {
	args=(--rule 'f1 >= baseline' "$D/binary-base.csv" "$D/binary-cand.csv")
	run -2 --separate-stderr mleval-compare --predictions --bootstrap 0 "${args[@]}"
	assert_equal "$stderr" "mleval-compare: --bootstrap: '0' is not a whole number from 1 to 10000000"
	run -2 --separate-stderr mleval-compare --predictions --bootstrap 10 --confidence 1 "${args[@]}"
	assert_equal "$stderr" "mleval-compare: --confidence: '1' is not between 0 and 1"
	run -2 --separate-stderr mleval-compare --predictions --bootstrap 10 --seed -1 "${args[@]}"
	assert_regex "$stderr" "^mleval-compare: --seed: '-1' is not a whole number"
	run -2 --separate-stderr mleval-compare --predictions --bootstrap 10 -j 0 "${args[@]}"
	assert_equal "$stderr" "mleval-compare: -j: '0' is not a whole number from 1 to 256"
	run -2 --separate-stderr mleval-compare --predictions --seed 3 "${args[@]}"
	assert_equal "$stderr" "mleval-compare: --seed needs --bootstrap"
	run -2 --separate-stderr mleval-compare --predictions --confidence 0.9 "${args[@]}"
	assert_equal "$stderr" "mleval-compare: --confidence needs --bootstrap"
}

@test "count metrics drawn per cell agree with rows drawn one by one" {
	# f1 alone takes the multinomial draw over the joint cells; with a
	# roc_auc rule beside it every row is drawn. Same distribution: the
	# intervals must agree to within the resampling noise.
	run -0 gate --bootstrap 2000 --rule 'f1 >= baseline' "$D/binary-base.csv" "$D/binary-cand.csv"
	cells=$(jq -c '.checks[0].interval' <<<"$output")
	run -0 gate --bootstrap 2000 --rule 'f1 >= baseline' --rule 'roc_auc >= 0' \
		"$D/binary-base.csv" "$D/binary-cand.csv"
	rows=$(jq -c '.checks[0].interval' <<<"$output")
	run -0 jq -en --argjson a "$cells" --argjson b "$rows" \
		'($a[0] - $b[0] | fabs) < 0.01 and ($a[1] - $b[1] | fabs) < 0.01 and $a != $b'
}

# The bootstrap's resamples rebuilt in Python: draws are positions in the
# candidate's score order (ties: positives first, then row order), from
# splitmix64 streams (two draws an output); each resample's ROC AUC counts
# tied pairs as half.
# reference_auc_interval CAND RESAMPLES SEED [BASE]: prints the candidate's
# roc_auc interval; with BASE (rows paired by order), the intervals of the
# paired deltas of roc_auc, then of brier, a line each.
reference_auc_interval() {
	python3 - "$@" <<'PY'
import csv, math, sys
path, resamples, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
base_path = sys.argv[4] if len(sys.argv) > 4 else None
M = (1 << 64) - 1
def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)
rows = list(csv.DictReader(open(path)))
y = [1 if float(r["label"]) != 0 else 0 for r in rows]
s = [float(r["score"]) for r in rows]
n = len(rows)
order = sorted(range(n), key=lambda i: (s[i], -y[i], i))
sb = [float(r["score"]) for r in csv.DictReader(open(base_path))] if base_path else None
def auc(sc, w):
    """ROC AUC of scores sc with row weights w, ties counted as half."""
    by = sorted(range(n), key=lambda i: sc[i])
    below = tie = neg = pos = 0
    i = 0
    while i < n:
        j = i
        gp = gn = 0
        while j < n and sc[by[j]] == sc[by[i]]:
            if y[by[j]]:
                gp += w[by[j]]
            else:
                gn += w[by[j]]
            j += 1
        below += gp * neg
        tie += gp * gn
        neg += gn
        pos += gp
        i = j
    return (float(below) + float(tie) / 2) / (float(pos) * float(neg)) if pos and neg else None
def brier(sc, cnt):
    """Summed in the candidate's order, as the tool does."""
    return sum(cnt[j] * (y[order[j]] - sc[order[j]]) ** 2 for j in range(n)) / n
stats, briers = [], []
for k in range(resamples):
    state = mix64(seed ^ mix64(k + 1))
    cnt = [0] * n
    draws = []
    while len(draws) < n:  # two draws an output: its high and low halves
        state = (state + 0x9E3779B97F4A7C15) & M
        z = mix64(state)
        draws += [z >> 32, z & 0xFFFFFFFF]
    for r in draws[:n]:
        cnt[(r * n) >> 32] += 1
    w = [0] * n
    for j in range(n):
        w[order[j]] = cnt[j]
    c = auc(s, w)
    if sb is None:
        if c is not None:
            stats.append(c)
        continue
    b = auc(sb, w)
    if c is not None and b is not None:
        stats.append(c - b)
    briers.append(brier(s, cnt) - brier(sb, cnt))
alpha = 1 - 0.95
def q(v, p):
    at = p * (len(v) - 1)
    lo = math.floor(at)
    if lo + 1 >= len(v):
        return v[-1]
    return v[lo] + (at - lo) * (v[lo + 1] - v[lo])
for v in [stats] + ([briers] if sb else []):
    v.sort()
    print("%.17g %.17g" % (q(v, alpha / 2), q(v, 1 - alpha / 2)))
PY
}

# same_interval GOT WANT: both "lo hi", equal to 1e-12.
same_interval() {
	awk -v g="$1" -v w="$2" 'BEGIN {
		split(g, a, " "); split(w, b, " ")
		d1 = a[1] - b[1]; d2 = a[2] - b[2]
		exit !((d1 < 1e-12 && d1 > -1e-12) && (d2 < 1e-12 && d2 > -1e-12))
	}'
}

@test "roc_auc resamples, ties and all, match a plain reimplementation" {
	# Scores on a coarse grid: most rows are tied with others, of both labels;
	# an odd number of rows (399): the last draw takes half an output.
	awk -F, 'NR == 1 { print "label,score"; next } NR <= 400 { printf "%s,%.1f\n", $2, $3 }' \
		"$D/binary-cand.csv" > tied.csv
	assert_equal "$(wc -l < tied.csv)" 400
	for j in 1 3; do
		run -0 mleval-compare --predictions --bootstrap 40 --seed 5 -j "$j" --no-baseline \
			--rule 'roc_auc >= 0.5' tied.csv
		got=$(jq -r '.checks[0].interval | map(tostring) | join(" ")' <<<"$output")
		want=$(reference_auc_interval tied.csv 40 5)
		run -0 same_interval "$got" "$want"
	done
}

@test "a baseline's resampled roc_auc and brier, through the map to the candidate's order, match too" {
	# Both sides on coarse grids, tied differently; rows paired by order.
	awk -F, 'NR == 1 { print "label,score"; next } NR <= 400 { printf "%s,%.1f\n", $2, $3 }' \
		"$D/binary-cand.csv" > cand.csv
	awk -F, 'NR == 1 { print "label,score"; next }
		NR <= 400 { x = $3 * 7; x -= int(x); printf "%s,%.1f\n", $2, x }' \
		"$D/binary-cand.csv" > base.csv
	want=$(reference_auc_interval cand.csv 40 5 base.csv)
	assert_equal "$(wc -l <<<"$want")" 2
	for j in 1 3; do
		run -0 mleval-compare --predictions --bootstrap 40 --seed 5 -j "$j" \
			--rule 'roc_auc >= baseline - 1' --rule 'brier <= baseline + 1' base.csv cand.csv
		got=$(jq -r '.checks[] | .interval | map(tostring) | join(" ")' <<<"$output")
		assert_equal "$(wc -l <<<"$got")" 2
		run -0 same_interval "$(sed -n 1p <<<"$got")" "$(sed -n 1p <<<"$want")"
		run -0 same_interval "$(sed -n 2p <<<"$got")" "$(sed -n 2p <<<"$want")"
	done
}

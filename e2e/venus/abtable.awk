# The table of ab.sh and seqab.sh: input lines "side step ms" (side a or b), output each step's median per side and
# B/A as a Markdown table, steps in the order first seen.
function median(key,    n, i, j, t, v) {
    n = cnt[key]
    for (i = 1; i <= n; i++) v[i] = val[key, i]
    for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
{ if (!(($2) in seen)) { seen[$2] = 1; order[++steps] = $2 } key = $2 SUBSEP $1; val[key, ++cnt[key]] = $3 }
END {
    print "| step | A | B | B/A |"
    print "|---|---:|---:|---:|"
    for (i = 1; i <= steps; i++) {
        s = order[i]; a = median(s SUBSEP "a"); b = median(s SUBSEP "b")
        printf "| %s | %.3f | %.3f | %.2f |\n", s, a, b, a == 0 ? 0 : b / a
    }
}

# plot.sh - bench/out/latency.png from wrk's latency CDFs (sourced by
# bench/run.sh): one panel per function and connection count, one curve
# per target, latency on a log scale, so the ceiling (microseconds) and
# the FastCGI targets (milliseconds) fit on one picture.

# The gnuplot command of one panel: $1 function, $2 connections.
plot_panel() {
	cmd=''
	for t in ceiling fcgiwrap novod-on novod-off; do
		f="$TMP/cdf/$t-$1-$2.dat"
		[ -s "$f" ] || continue
		case $t in
		ceiling) style='lc rgb "#888888" dt 2' ;;
		fcgiwrap) style='lc rgb "#d62728"' ;;
		novod-on) style='lc rgb "#1f77b4"' ;;
		novod-off) style='lc rgb "#2ca02c" dt 3' ;;
		esac
		cmd="$cmd${cmd:+, }'$f' using (\$2/1000.0):1 with lines lw 2 $style title '$t'"
	done
	if [ -z "$cmd" ]; then
		echo "set label 1 'no data' at graph 0.4, 0.5"
		echo "plot [1:2] [0:1] NaN notitle"
		echo "unset label 1"
	else
		echo "plot $cmd"
	fi
}

plot_latency() {
	ncols=$(echo $CONNS | wc -w)
	{
		cat <<EOF
set terminal pngcairo size 1500,900 font 'sans,10'
set output '$1'
set multiplot layout 2,$ncols title "Latency distribution (wrk, each curve one run of ${DURATION} s: the median one of its rounds), $(hostname), $(date -u '+%Y-%m-%d %H:%M UTC')" font 'sans,12'
set logscale x 10
set xrange [0.01:2000]
set format x '%g'
set xlabel 'latency (ms, log scale)'
set ylabel 'requests answered within (%)'
set yrange [0:100]
set ytics 10
set grid xtics ytics mxtics
set key bottom right
EOF
		for fn in hello fib; do
			for c in $CONNS; do
				label=$fn
				[ "$fn" = fib ] && label="fib(n=$FIB_N)"
				echo "set title '$label, $c connection(s)'"
				plot_panel "$fn" "$c"
			done
		done
		echo "unset multiplot"
	} >"$TMP/latency.gp"
	gnuplot "$TMP/latency.gp"
}

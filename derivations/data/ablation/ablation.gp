# The ablation: theory (lines) and simulation (points, ± one standard error across seeds).
set terminal pngcairo size 1400,420 font ",10"
set output "ablation.png"
set datafile separator ","
set logscale x
set xlabel "d"
set key font ",8"
set multiplot layout 1,3
set title "generated p̂ (target p = 0.8)" noenhanced
plot for [s in "dilated linear vp"] "ablation.csv" using (strcol(2) eq s ? $1 : NaN):5 with lines title "theory ".s, \
     for [s in "dilated linear vp"] "ablation.csv" using (strcol(2) eq s ? $1 : NaN):3:4 with yerrorbars pt 7 title "sim ".s, \
     0.8 with lines dt 3 lc rgb "gray" title "p"
set title "learned b at the decision time (first β√d ≥ 1; η → 0)" noenhanced
plot for [s in "dilated linear vp"] "ablation.csv" using (strcol(2) eq s ? $1 : NaN):16 with linespoints dt 2 title "theory ".s, \
     for [s in "dilated linear vp"] "ablation.csv" using (strcol(2) eq s ? $1 : NaN):14:15 with yerrorbars pt 7 title "sim ".s
set title "|∂J/∂b| at b = 0 (AB.3)" noenhanced
set logscale y
plot for [s in "dilated linear vp"] "ablation.csv" using (strcol(2) eq s ? $1 : NaN):(abs($10)) with lines title "theory ".s, \
     for [s in "dilated linear vp"] "ablation.csv" using (strcol(2) eq s ? $1 : NaN):(abs($11)):12 with yerrorbars pt 6 title "Monte Carlo ".s
unset multiplot

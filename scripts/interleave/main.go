// Command interleave times whole command lines side by side: it runs them
// in turn, round after round, so that the load of a shared machine, which
// drifts by tens of percent within seconds, hits all of them alike, and
// prints each one's median, quartiles and the ratio of its median to the
// first command's. scripts/bench-cli.sh uses it.
//
//	go run ./scripts/interleave [-rounds N] [-warmup N] 'cmd args' ...
//
// Arguments are split on spaces (no quoting); a command's output is
// discarded and a failing command stops the run.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

func main() {
	rounds := flag.Int("rounds", 100, "rounds to time")
	warmup := flag.Int("warmup", 3, "untimed rounds first")
	names := flag.String("names", "", "names for the commands, separated by '|'")
	flag.Parse()
	cmds := flag.Args()
	if len(cmds) == 0 || *rounds < 1 {
		fmt.Fprintln(os.Stderr, "usage: interleave [-rounds N] [-warmup N] [-names 'a|b'] 'cmd args' ...")
		os.Exit(2)
	}
	labels := cmds
	if *names != "" {
		labels = strings.Split(*names, "|")
		if len(labels) != len(cmds) {
			fmt.Fprintln(os.Stderr, "interleave: -names needs one name per command")
			os.Exit(2)
		}
	}
	times := make([][]time.Duration, len(cmds))
	for r := -*warmup; r < *rounds; r++ {
		for i, c := range cmds {
			d, err := runOnce(c)
			if err != nil {
				fmt.Fprintf(os.Stderr, "interleave: %s: %v\n", c, err)
				os.Exit(1)
			}
			if r >= 0 {
				times[i] = append(times[i], d)
			}
		}
	}
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	fmt.Printf("%-34s %8s %8s %8s %7s\n", fmt.Sprintf("interleaved, %d rounds", *rounds), "median", "p25", "p75", "ratio")
	var first time.Duration
	for i, t := range times {
		slices.Sort(t)
		med := t[len(t)/2]
		if i == 0 {
			first = med
		}
		fmt.Printf("%-34s %8.2f %8.2f %8.2f %7.2f\n", labels[i], ms(med), ms(t[len(t)/4]), ms(t[3*len(t)/4]), float64(med)/float64(first))
	}
}

func runOnce(command string) (time.Duration, error) {
	f := strings.Fields(command)
	cmd := exec.Command(f[0], f[1:]...)
	start := time.Now()
	err := cmd.Run()
	return time.Since(start), err
}

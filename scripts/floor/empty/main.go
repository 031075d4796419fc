// Command empty does nothing: scripts/bench-cli.sh times it as the cost of
// starting any Go program on the machine.
package main

func main() {}

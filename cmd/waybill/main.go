// Command waybill is the Travel Rule server and its command line.
package main

import (
	"os"

	"github.com/waybill/waybill/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

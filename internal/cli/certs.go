package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/waybill/waybill/internal/pki"
	"github.com/waybill/waybill/internal/route/trp"
)

// certsCmd makes throw-away certificates so nodes can talk mutual TLS in development.
func (e *env) certsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "certs", Short: "Make a development CA and node certificates for mutual TLS (TRP, TRISA)",
		Long: "Makes a throw-away certificate authority and node certificates (RSA, client and server use, the\n" +
			"endpoints as subject alternative names) for development and private test networks. Real TRISA\n" +
			"peers only trust certificates of the TRISA directory; give those to waybill instead."}
	var dir string
	var bits int
	var force bool
	var validity time.Duration
	ca := &cobra.Command{
		Use:   "ca",
		Short: "Make a CA: DIR/ca.crt (give it to every node as trp.tls.ca_file) and DIR/ca.key",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "generating a %d-bit RSA key...\n", bits)
			c, err := pki.NewCA(pki.CAOptions{Bits: bits, Validity: validity})
			if err != nil {
				return err
			}
			crt, key, err := pki.WriteCA(dir, "ca", c, force)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "CA certificate: %s\nCA key:         %s (keep it private)\n", crt, key)
			fmt.Fprintf(e.stdout, "next: waybill certs node NAME --dir %s --endpoint HOST[:PORT]\n", dir)
			return nil
		},
	}
	var endpoints []string
	node := &cobra.Command{
		Use:   "node NAME",
		Short: "Issue a node certificate signed by the CA in --dir: DIR/NAME.pem (certificate, chain and key)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if name == "" || strings.ContainsAny(name, `/\`) || name == "ca" {
				return errors.New("NAME must be a plain file name other than ca")
			}
			if len(endpoints) == 0 {
				return errors.New("give at least one --endpoint (the host name or IP peers reach the node by)")
			}
			c, err := pki.LoadCA(filepath.Join(dir, "ca.crt"), filepath.Join(dir, "ca.key"))
			if err != nil {
				return fmt.Errorf("%w (make one with: waybill certs ca --dir %s)", err, dir)
			}
			fmt.Fprintf(e.stderr, "generating a %d-bit RSA key...\n", bits)
			l, err := c.Issue(pki.LeafOptions{Endpoints: endpoints, Bits: bits, Validity: validity})
			if err != nil {
				return err
			}
			f, err := pki.WriteLeaf(dir, name, l, force)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "node certificate %s for %s\n  identity (certificate, chain, key): %s\n  certificate: %s\n  key:         %s\n",
				l.Cert.Subject.CommonName, strings.Join(pki.Names(l.Cert), ", "), f.Identity, f.Cert, f.Key)
			abs := func(p string) string {
				if a, err := filepath.Abs(p); err == nil {
					return a
				}
				return p
			}
			fmt.Fprintf(e.stdout, "configuration:\n  WAYBILL_TRP_TLS_CERT_FILE=%s\n  WAYBILL_TRP_TLS_CA_FILE=%s\n", abs(f.Identity), abs(filepath.Join(dir, "ca.crt")))
			return nil
		},
	}
	node.Flags().StringSliceVar(&endpoints, "endpoint", nil, "host name, IP, host:port or URL the node is reached by (repeat for more)")
	for _, c := range []*cobra.Command{ca, node} {
		c.Flags().StringVar(&dir, "dir", "certs", "directory of the CA and the certificates")
		c.Flags().IntVar(&bits, "bits", pki.DefaultBits, "RSA key size")
		c.Flags().BoolVar(&force, "force", false, "replace existing files")
		c.Flags().DurationVar(&validity, "validity", 0, "validity (default: CA five years, node one year)")
	}
	cmd.AddCommand(ca, node)
	return cmd
}

// trpCmd shows and decodes travel addresses.
func (e *env) trpCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "trp", Short: "TRP travel addresses"}
	var vaspID, walletID string
	address := &cobra.Command{
		Use:   "address",
		Short: "Print the travel address of a hosted VASP (or of one of its wallets) for counterparties",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if vaspID == "" {
				return errors.New("--vasp is required")
			}
			c, err := e.config()
			if err != nil {
				return err
			}
			base := c.TRP.BaseURL
			if base == "" && c.TRP.InsecureHTTP {
				base = c.HTTP.BaseURL
			}
			if base == "" {
				return errors.New("set trp.base_url (WAYBILL_TRP_BASE_URL): the public https origin of the TRP listener")
			}
			u := strings.TrimRight(base, "/") + trp.InquiryPath(vaspID, walletID) + "?t=i"
			ta, err := trp.TravelAddress(u)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "travel address: %s\ninquiry URL:    %s\n", ta, u)
			return nil
		},
	}
	address.Flags().StringVar(&vaspID, "vasp", "", "hosted VASP id (required)")
	address.Flags().StringVar(&walletID, "wallet", "", "wallet id, for the address of one wallet")
	decode := &cobra.Command{
		Use:   "decode ADDRESS",
		Short: "Print the inquiry URL behind a travel address (ta…), an LNURL or a URL",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			u, form, err := trp.ParseAddress(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s (%s)\n", u, form)
			return nil
		},
	}
	cmd.AddCommand(address, decode, e.trpBenchCmd())
	return cmd
}

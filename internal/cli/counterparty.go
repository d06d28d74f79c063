package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
)

// counterpartyFlags are the directory fields a create or update sets.
type counterpartyFlags struct {
	name, lei, country, jurisdiction, website, standing       string
	trpURL, travelAddress, trpVersion, trisaEndpoint, trisaCN string
	email, preferred                                          string
	allowPrivate                                              bool
}

func (f *counterpartyFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.name, "name", "", "legal name")
	fl.StringVar(&f.lei, "lei", "", "Legal Entity Identifier")
	fl.StringVar(&f.country, "country", "", "ISO 3166-1 alpha-2 country")
	fl.StringVar(&f.jurisdiction, "jurisdiction", "", "jurisdiction table code (default: the country)")
	fl.StringVar(&f.website, "website", "", "website")
	fl.StringVar(&f.standing, "standing", "", "allowed, blocked or unknown (default unknown)")
	fl.StringVar(&f.trpURL, "trp-url", "", "TRP inquiry URL")
	fl.StringVar(&f.travelAddress, "travel-address", "", "TRP travel address (ta… or LNURL)")
	fl.StringVar(&f.trpVersion, "trp-api-version", "", "api-version to send it (default 3.1.0)")
	fl.BoolVar(&f.allowPrivate, "trp-allow-private", false, "let TRP requests reach loopback or private addresses (development)")
	fl.StringVar(&f.trisaEndpoint, "trisa-endpoint", "", "TRISA host:port")
	fl.StringVar(&f.trisaCN, "trisa-common-name", "", "common name of its TRISA certificate")
	fl.StringVar(&f.email, "email", "", "compliance e-mail (sunrise)")
	fl.StringVar(&f.preferred, "preferred", "", "preferred protocol: trisa or trp")
}

// apply writes the flags given on the command line over in (all of them for a create).
func (f *counterpartyFlags) apply(cmd *cobra.Command, in *engine.CounterpartyInput) {
	set := func(name string) bool { return cmd.Flags().Changed(name) }
	str := func(name string, dst *string, v string) {
		if set(name) {
			*dst = v
		}
	}
	str("name", &in.Name, f.name)
	str("lei", &in.LEI, f.lei)
	str("country", &in.Country, f.country)
	str("jurisdiction", &in.Jurisdiction, f.jurisdiction)
	str("website", &in.Website, f.website)
	if set("standing") {
		in.Standing = counterparty.Standing(strings.ToLower(f.standing))
	}
	if set("trp-url") || set("travel-address") || set("trp-api-version") || set("trp-allow-private") {
		if in.Routes.TRP == nil {
			in.Routes.TRP = &counterparty.TRP{}
		}
		str("trp-url", &in.Routes.TRP.URL, f.trpURL)
		str("travel-address", &in.Routes.TRP.TravelAddress, f.travelAddress)
		str("trp-api-version", &in.Routes.TRP.APIVersion, f.trpVersion)
		if set("trp-allow-private") {
			in.Routes.TRP.AllowPrivate = f.allowPrivate
		}
		if *in.Routes.TRP == (counterparty.TRP{}) {
			in.Routes.TRP = nil
		}
	}
	if set("trisa-endpoint") || set("trisa-common-name") {
		if in.Routes.TRISA == nil {
			in.Routes.TRISA = &counterparty.TRISA{}
		}
		str("trisa-endpoint", &in.Routes.TRISA.Endpoint, f.trisaEndpoint)
		str("trisa-common-name", &in.Routes.TRISA.CommonName, f.trisaCN)
	}
	str("email", &in.Routes.Email, f.email)
	str("preferred", &in.Routes.Preferred, strings.ToLower(f.preferred))
}

func (e *env) counterpartyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "counterparty", Short: "Manage a VASP's directory of counterparties and attribution lists"}
	var vaspID, format string
	needVASP := func() error {
		if vaspID == "" {
			return errors.New("--vasp is required")
		}
		return nil
	}
	var createFlags counterpartyFlags
	create := &cobra.Command{
		Use:   "create",
		Short: "Add a counterparty to a VASP's directory",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := needVASP(); err != nil {
				return err
			}
			var in engine.CounterpartyInput
			createFlags.apply(cmd, &in)
			n, err := e.open(cmd.Context())
			if err != nil {
				return err
			}
			defer n.Close()
			c, err := n.Engine.CreateCounterparty(cmd.Context(), cliActor(), vaspID, in)
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(e.stdout, "created counterparty %s\n  id:       %s\n  standing: %s\n  routes:   %s\n", c.Name, c.ID, c.Standing, routeSummary(c))
			return nil
		},
	}
	createFlags.register(create)
	var updateFlags counterpartyFlags
	update := &cobra.Command{
		Use:   "update ID",
		Short: "Change a counterparty: the flags given replace those fields, the others stay",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := needVASP(); err != nil {
				return err
			}
			n, err := e.open(cmd.Context())
			if err != nil {
				return err
			}
			defer n.Close()
			c, err := n.Store.Read().GetCounterparty(cmd.Context(), vaspID, args[0])
			if err != nil {
				return err
			}
			in := engine.CounterpartyInput{Name: c.Name, LEI: c.LEI, Country: c.Country, Jurisdiction: c.Jurisdiction,
				Website: c.Website, Standing: c.Standing, Routes: c.Routes}
			updateFlags.apply(cmd, &in)
			c, err = n.Engine.UpdateCounterparty(cmd.Context(), cliActor(), vaspID, args[0], in)
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(e.stdout, "updated counterparty %s\n  id:       %s\n  standing: %s\n  routes:   %s\n", c.Name, c.ID, c.Standing, routeSummary(c))
			return nil
		},
	}
	updateFlags.register(update)
	list := &cobra.Command{
		Use:   "list",
		Short: "List a VASP's directory",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := needVASP(); err != nil {
				return err
			}
			c, err := e.config()
			if err != nil {
				return err
			}
			s, err := OpenStore(cmd.Context(), c)
			if err != nil {
				return err
			}
			defer s.Close()
			fmt.Fprintf(e.stdout, "%-36s  %-8s  %-20s  %-24s  %s\n", "ID", "STANDING", "LEI", "ROUTES", "NAME")
			for after := ""; ; {
				page, err := s.Read().ListCounterparties(cmd.Context(), vaspID, after, 500)
				if err != nil {
					return err
				}
				for i := range page {
					cp := &page[i]
					fmt.Fprintf(e.stdout, "%-36s  %-8s  %-20s  %-24s  %s\n", cp.ID, cp.Standing, cp.LEI, routeSummary(cp), cp.Name)
				}
				if len(page) < 500 {
					return nil
				}
				after = page[len(page)-1].ID
			}
		},
	}
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Add or replace counterparties from a JSON or CSV file (matched by LEI, else name)",
		Long: "Adds or replaces directory entries from a file. JSON: a list of counterparty objects as the API takes them.\n" +
			"CSV: a header naming some of " + strings.Join(engine.CounterpartyColumns(), ", ") + " (name is required).\n" +
			"Every row is checked first; any invalid row refuses the whole file.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := needVASP(); err != nil {
				return err
			}
			f, fm, err := openImport(args[0], format)
			if err != nil {
				return err
			}
			defer f.Close()
			n, err := e.open(cmd.Context())
			if err != nil {
				return err
			}
			defer n.Close()
			res, err := n.Engine.ImportCounterparties(cmd.Context(), cliActor(), vaspID, f, fm)
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(e.stdout, "created %d, updated %d\n", res.Created, res.Updated)
			return nil
		},
	}
	attr := &cobra.Command{
		Use:   "attributions FILE",
		Short: "Import an attribution list: which counterparty owns which addresses (for routing)",
		Long: "Records address ownership from a list (source attribution_list, confidence likely). JSON: a list of objects;\n" +
			"CSV: a header naming network, address, and counterparty_id or counterparty_lei. Addresses a counterparty\n" +
			"confirmed in a transfer keep that knowledge. Every row is checked first; any invalid row refuses the file.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := needVASP(); err != nil {
				return err
			}
			f, fm, err := openImport(args[0], format)
			if err != nil {
				return err
			}
			defer f.Close()
			n, err := e.open(cmd.Context())
			if err != nil {
				return err
			}
			defer n.Close()
			res, err := n.Engine.ImportAttributions(cmd.Context(), cliActor(), vaspID, f, fm, func(done int) {
				fmt.Fprintf(e.stderr, "\rimported %d rows", done)
			})
			fmt.Fprintln(e.stderr)
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(e.stdout, "recorded %d, skipped %d already confirmed\n", res.Created, res.Skipped)
			return nil
		},
	}
	for _, c := range []*cobra.Command{create, update, list, imp, attr} {
		c.Flags().StringVar(&vaspID, "vasp", "", "VASP id whose directory this is (required)")
	}
	for _, c := range []*cobra.Command{imp, attr} {
		c.Flags().StringVar(&format, "format", "", "json or csv (default: from the file extension)")
	}
	cmd.AddCommand(list, create, update, imp, attr)
	return cmd
}

// openImport opens an import file and settles its format.
func openImport(path, format string) (*os.File, string, error) {
	if format == "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".json":
			format = engine.FormatJSON
		case ".csv":
			format = engine.FormatCSV
		default:
			return nil, "", errors.New("give --format json or csv (the file extension does not say)")
		}
	}
	format = strings.ToLower(format)
	if format != engine.FormatJSON && format != engine.FormatCSV {
		return nil, "", errors.New("--format must be json or csv")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	return f, format, nil
}

// routeSummary lists the routes a counterparty has, for tables.
func routeSummary(c *counterparty.Counterparty) string {
	var r []string
	if c.Hosted() {
		r = append(r, "internal")
	}
	if c.Routes.TRISA != nil && c.Routes.TRISA.Endpoint != "" {
		r = append(r, "trisa")
	}
	if c.Routes.TRP != nil && (c.Routes.TRP.URL != "" || c.Routes.TRP.TravelAddress != "") {
		r = append(r, "trp")
	}
	if c.Routes.Email != "" {
		r = append(r, "email")
	}
	if len(r) == 0 {
		return "-"
	}
	return strings.Join(r, ",")
}

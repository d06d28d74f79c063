package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/config"
	"github.com/waybill/waybill/internal/engine"
)

// env is what commands share: streams, the environment, the config file flag.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	environ        []string
	configPath     string
}

// Main runs the waybill command line with args (without the program name) and returns the exit
// code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, environ: os.Environ()}
	// The server's live heap is small and allocation-heavy work (JSON, SQL rows) is steady:
	// collecting at 4x the live heap instead of 2x halves the collector's CPU for a few
	// megabytes. GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	root := &cobra.Command{
		Use:           "waybill",
		Short:         "waybill is a self-hostable Travel Rule server",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&e.configPath, "config", os.Getenv("WAYBILL_CONFIG"), "YAML configuration file (also WAYBILL_CONFIG)")
	root.AddCommand(e.serveCmd(), e.migrateCmd(), e.configCmd(), e.vaspCmd(), e.apikeyCmd(), e.walletCmd(),
		e.auditCmd(), e.benchCmd(), e.versionCmd())
	root.AddCommand(e.decisionCommands()...)
	root.AddCommand(e.peerCommands()...)
	root.AddCommand(e.webCommands()...)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stderr, "error:", err)
		var ce *config.Error
		if errors.As(err, &ce) {
			return 2
		}
		return 1
	}
	return 0
}

func (e *env) config() (config.Config, error) {
	return config.Load(e.configPath, e.environ)
}

// open builds a node for a one-shot command (logs to stderr, text, warnings only).
func (e *env) open(ctx context.Context) (*Node, error) {
	c, err := e.config()
	if err != nil {
		return nil, err
	}
	c.Log.Level, c.Log.Format = "warn", "text"
	return OpenNode(ctx, c, Options{Logger: NewLogger(c.Log, e.stderr)})
}

// cliActor is the audit actor of command-line changes.
func cliActor() audit.Actor {
	name := os.Getenv("USER")
	if name == "" {
		name = "cli"
	}
	return audit.Actor{Type: audit.ActorUser, ID: "cli:" + name, Name: name + " (command line)"}
}

func (e *env) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(e.stdout, "waybill", Version)
			return nil
		},
	}
}

func (e *env) configCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Show or check the configuration"}
	cmd.AddCommand(&cobra.Command{
		Use:   "show",
		Short: "Print the effective configuration with secrets hidden",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := e.config()
			if err != nil {
				return err
			}
			fmt.Fprint(e.stdout, c.Redacted())
			return nil
		},
	}, &cobra.Command{
		Use:   "vars",
		Short: "List the environment variables waybill reads",
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, v := range config.Variables() {
				fmt.Fprintln(e.stdout, v)
			}
			return nil
		},
	})
	return cmd
}

func (e *env) migrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Create or upgrade the database schema (serve also does this at start)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := e.config()
			if err != nil {
				return err
			}
			s, err := OpenStore(cmd.Context(), c)
			if err != nil {
				return err
			}
			defer s.Close()
			kind, _ := c.Database.Kind()
			fmt.Fprintf(e.stdout, "database (%s) is up to date\n", kind)
			return nil
		},
	}
}

func (e *env) vaspCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "vasp", Short: "Manage hosted VASPs"}
	var in engine.NewVASP
	create := &cobra.Command{
		Use:   "create",
		Short: "Host a new VASP on this node",
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := e.open(cmd.Context())
			if err != nil {
				return err
			}
			defer n.Close()
			v, err := n.Engine.CreateVASP(cmd.Context(), cliActor(), in)
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(e.stdout, "created VASP %s\n  id:           %s\n  jurisdiction: %s\n", v.Name, v.ID, v.Jurisdiction)
			fmt.Fprintf(e.stdout, "next: waybill apikey create --vasp %s\n", v.ID)
			return nil
		},
	}
	create.Flags().StringVar(&in.Name, "name", "", "legal name (required)")
	create.Flags().StringVar(&in.Country, "country", "", "ISO 3166-1 alpha-2 country (required)")
	create.Flags().StringVar(&in.LEI, "lei", "", "Legal Entity Identifier")
	create.Flags().StringVar(&in.Jurisdiction, "jurisdiction", "", "jurisdiction table code (default: the country, else FATF)")
	create.Flags().StringVar(&in.Website, "website", "", "website")
	list := &cobra.Command{
		Use:   "list",
		Short: "List hosted VASPs",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := e.config()
			if err != nil {
				return err
			}
			s, err := OpenStore(cmd.Context(), c)
			if err != nil {
				return err
			}
			defer s.Close()
			vs, err := s.Read().ListVASPs(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%-36s  %-3s  %-5s  %s\n", "ID", "CC", "JUR", "NAME")
			for _, v := range vs {
				fmt.Fprintf(e.stdout, "%-36s  %-3s  %-5s  %s\n", v.ID, v.Country, v.Jurisdiction, v.Name)
			}
			return nil
		},
	}
	cmd.AddCommand(create, list)
	return cmd
}

func (e *env) apikeyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "apikey", Short: "Manage API keys"}
	var vaspID, name string
	var admin bool
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an API key for a VASP (or --admin for the node's admin API); the key is printed once",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (vaspID == "") == !admin {
				return errors.New("give --vasp ID, or --admin")
			}
			n, err := e.open(cmd.Context())
			if err != nil {
				return err
			}
			defer n.Close()
			k, err := n.Engine.CreateAPIKey(cmd.Context(), cliActor(), vaspID, name, n.Rand)
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(e.stdout, "api key %s (%s)\n%s\nstore it now: it is not shown again\n", k.ID, k.Name, k.Secret)
			return nil
		},
	}
	create.Flags().StringVar(&vaspID, "vasp", "", "VASP id")
	create.Flags().BoolVar(&admin, "admin", false, "create a node administrator key")
	create.Flags().StringVar(&name, "name", "backend", "a name to recognise the key by")
	list := &cobra.Command{
		Use:   "list",
		Short: "List a VASP's API keys (or --admin keys)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := e.config()
			if err != nil {
				return err
			}
			s, err := OpenStore(cmd.Context(), c)
			if err != nil {
				return err
			}
			defer s.Close()
			keys, err := s.Read().ListAPIKeys(cmd.Context(), vaspID)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%-36s  %-12s  %-20s  %s\n", "ID", "PREFIX", "CREATED", "NAME")
			for _, k := range keys {
				state := ""
				if k.RevokedAt != nil {
					state = " (revoked)"
				}
				fmt.Fprintf(e.stdout, "%-36s  %-12s  %-20s  %s%s\n", k.ID, k.Prefix, k.CreatedAt.Format("2006-01-02 15:04:05"), k.Name, state)
			}
			return nil
		},
	}
	list.Flags().StringVar(&vaspID, "vasp", "", "VASP id (empty with --admin)")
	list.Flags().BoolVar(&admin, "admin", false, "list admin keys")
	revoke := &cobra.Command{
		Use:   "revoke KEY_ID",
		Short: "Revoke an API key",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := e.open(cmd.Context())
			if err != nil {
				return err
			}
			defer n.Close()
			if err := n.Engine.RevokeAPIKey(cmd.Context(), cliActor(), vaspID, args[0]); err != nil {
				return describe(err)
			}
			fmt.Fprintln(e.stdout, "revoked", args[0])
			return nil
		},
	}
	revoke.Flags().StringVar(&vaspID, "vasp", "", "VASP id the key belongs to (empty for admin keys)")
	cmd.AddCommand(create, list, revoke)
	return cmd
}

func (e *env) walletCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "wallet", Short: "Manage address books"}
	var vaspID string
	imp := &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Import addresses (CSV with network,address[,memo,customer_ref,customer_name]) into a VASP's book",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if vaspID == "" {
				return errors.New("--vasp is required")
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			n, err := e.open(cmd.Context())
			if err != nil {
				return err
			}
			defer n.Close()
			res, err := n.Engine.ImportWallets(cmd.Context(), cliActor(), vaspID, f, func(done int) {
				fmt.Fprintf(e.stderr, "\rimported %d rows", done)
			})
			fmt.Fprintln(e.stderr)
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(e.stdout, "created %d, skipped %d already in the book\n", res.Created, res.Skipped)
			return nil
		},
	}
	imp.Flags().StringVar(&vaspID, "vasp", "", "VASP id (required)")
	cmd.AddCommand(imp)
	return cmd
}

// describe renders engine errors for a terminal.
func describe(err error) error {
	var ve *engine.ValidationError
	if errors.As(err, &ve) {
		msg := "invalid input:"
		for i, f := range ve.Fields {
			if i == 20 {
				msg += fmt.Sprintf("\n  ... and %d more", len(ve.Fields)-20)
				break
			}
			msg += "\n  " + f.Path + ": " + f.Message
		}
		return errors.New(msg)
	}
	return err
}

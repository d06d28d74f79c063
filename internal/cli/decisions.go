package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/knadh/koanf/parsers/yaml"
	"github.com/spf13/cobra"

	"github.com/waybill/waybill/internal/decision"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/screening"
	"github.com/waybill/waybill/internal/transfer"
)

// decisionsBefore contributes the decider and assessor (policies, screening, name matching,
// ownership proofs) before the engine is built.
func (n *Node) decisionsBefore(ctx context.Context, w *wiring) error {
	scr := screening.NewScreener(screening.Config{Timeout: n.Config.Decisions.ScreeningTimeout})
	svc, err := decision.New(decision.Config{Screener: scr, Clock: n.clock(), Logger: n.Log})
	if err != nil {
		return err
	}
	w.decider, w.assessor = svc, svc
	return nil
}

// clock returns the node's clock (set before the capabilities are wired).
func (n *Node) clock() func() time.Time {
	if n.Clock != nil {
		return n.Clock
	}
	return time.Now
}

// decisionService returns the decision service the wiring holds, nil when another decider
// was wired.
func decisionService(w *wiring) *decision.Service {
	svc, _ := w.decider.(*decision.Service)
	return svc
}

// decisionsAfter loads the screening lists (a node does not decide with lists missing) and
// keeps them current while it runs.
func (n *Node) decisionsAfter(ctx context.Context, w *wiring) error {
	svc := decisionService(w)
	if svc == nil {
		return nil
	}
	if _, err := svc.LoadLists(ctx, n.Store); err != nil {
		return err
	}
	every := n.Config.Decisions.ListRefresh
	w.servers = append(w.servers, func(ctx context.Context) error { return svc.RefreshLists(ctx, n.Store, every) })
	return nil
}

// decisionCommands are the decisions capability's commands (policy, screening).
func (e *env) decisionCommands() []*cobra.Command {
	return []*cobra.Command{e.policyCmd(), e.screeningCmd()}
}

func (e *env) policyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "policy", Short: "List, set and test a VASP's decision policies"}
	var vaspID, direction, transferID, point string
	var version int
	list := &cobra.Command{
		Use:   "list",
		Short: "Show a VASP's policy sets (both directions, or --direction)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if vaspID == "" {
				return errors.New("--vasp is required")
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
			dirs := []string{policy.DirectionOutgoing, policy.DirectionIncoming}
			if direction != "" {
				dirs = []string{direction}
			}
			for _, d := range dirs {
				set, err := s.Read().GetPolicySet(cmd.Context(), vaspID, d, version)
				if err != nil {
					fmt.Fprintf(e.stdout, "%s: no policies (the VASP's settings decide)\n", d)
					continue
				}
				fmt.Fprintf(e.stdout, "%s: version %d, saved %s by %s\n", d, set.Version, set.CreatedAt.Format(time.RFC3339), set.CreatedBy)
				for i, p := range set.Policies {
					state := ""
					if p.Disabled {
						state = " (disabled)"
					}
					fmt.Fprintf(e.stdout, "  %2d. %-28s %-9s %s%s\n", i+1, p.Name, p.Action, strings.Join(strings.Fields(p.Condition), " "), state)
				}
			}
			return nil
		},
	}
	list.Flags().StringVar(&vaspID, "vasp", "", "VASP id (required)")
	list.Flags().StringVar(&direction, "direction", "", "outgoing or incoming (default both)")
	list.Flags().IntVar(&version, "version", 0, "show this version (default the current one)")

	set := &cobra.Command{
		Use:   "set FILE",
		Short: "Replace a VASP's policy set for a direction from a JSON or YAML file ({\"policies\": [...]})",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if vaspID == "" || direction == "" {
				return errors.New("--vasp and --direction are required")
			}
			ps, err := readPolicies(args[0])
			if err != nil {
				return err
			}
			n, err := e.open(cmd.Context())
			if err != nil {
				return err
			}
			defer n.Close()
			s, err := n.Engine.PutPolicies(cmd.Context(), cliActor(), vaspID, direction, ps)
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(e.stdout, "saved %s policy set version %d (%d policies)\n", direction, s.Version, len(s.Policies))
			return nil
		},
	}
	set.Flags().StringVar(&vaspID, "vasp", "", "VASP id (required)")
	set.Flags().StringVar(&direction, "direction", "", "outgoing or incoming (required)")

	test := &cobra.Command{
		Use:   "test [FILE]",
		Short: "Show what a draft policy set (or the saved one) would decide for an existing transfer; changes nothing",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if vaspID == "" || transferID == "" {
				return errors.New("--vasp and --transfer are required")
			}
			var draft []policy.Policy
			if len(args) == 1 {
				var err error
				if draft, err = readPolicies(args[0]); err != nil {
					return err
				}
			}
			n, err := e.open(cmd.Context())
			if err != nil {
				return err
			}
			defer n.Close()
			in, err := n.Engine.DecisionInputFor(cmd.Context(), vaspID, transferID, point)
			if err != nil {
				return describe(err)
			}
			var prog *policy.Program
			if draft != nil {
				dir := policy.DirectionOutgoing
				if in.Transfer.Direction == transfer.Incoming {
					dir = policy.DirectionIncoming
				}
				if prog, err = n.Engine.CheckPolicies(dir, draft); err != nil {
					return describe(err)
				}
			}
			svc, _ := n.Engine.Decider().(*decision.Service)
			if svc == nil {
				return errors.New("this node decides without policies")
			}
			ev, err := svc.Evaluate(cmd.Context(), n.Store.Read(), in, prog)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "transfer %s at %s (%s set): %s by %s", transferID, ev.Point, ev.Direction, ev.Decision.Action, ev.Decision.Source)
			if ev.Decision.Policy != "" {
				fmt.Fprintf(e.stdout, " %s", ev.Decision.Policy)
			}
			fmt.Fprintf(e.stdout, "\n  reason: %s\n", ev.Decision.Reason)
			for _, x := range ev.Evaluations {
				mark := "-"
				if x.Matched {
					mark = "+"
				}
				fmt.Fprintf(e.stdout, "  %s %-28s %-9s %s\n", mark, x.Policy, x.Action, x.Error)
			}
			facts, _ := json.MarshalIndent(ev.Facts, "  ", "  ")
			fmt.Fprintf(e.stdout, "  facts: %s\n", facts)
			return nil
		},
	}
	test.Flags().StringVar(&vaspID, "vasp", "", "VASP id (required)")
	test.Flags().StringVar(&transferID, "transfer", "", "transfer id (required)")
	test.Flags().StringVar(&point, "point", "", "decision point (default: the transfer's own)")
	cmd.AddCommand(list, set, test)
	return cmd
}

// readPolicies reads {"policies": [...]} (or a bare list, in JSON) from a .json, .yaml or .yml
// file.
func readPolicies(path string) ([]policy.Policy, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if ext := strings.ToLower(filepath.Ext(path)); ext == ".yaml" || ext == ".yml" {
		m, err := yaml.Parser().Unmarshal(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if b, err = json.Marshal(m); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	var body struct {
		Policies []policy.Policy `json:"policies"`
	}
	trimmed := strings.TrimSpace(string(b))
	if strings.HasPrefix(trimmed, "[") {
		err = json.Unmarshal(b, &body.Policies)
	} else {
		dec := json.NewDecoder(strings.NewReader(trimmed))
		dec.DisallowUnknownFields()
		err = dec.Decode(&body)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: not a policy set: %w", path, err)
	}
	if body.Policies == nil {
		body.Policies = []policy.Policy{}
	}
	return body.Policies, nil
}

func (e *env) screeningCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "screening", Short: "Manage the node's address screening lists"}
	var format, name, version string
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Import a screening list (OFAC SDN.XML, sdn_advanced.xml, or CSV) as the new version of its name",
		Long: "Import a screening list. --format ofac-sdn reads OFAC's SDN.XML, ofac-sdn-advanced its sdn_advanced.xml\n" +
			"(both take the \"Digital Currency Address - XXX\" identifiers), csv a file whose header names address and\n" +
			"optionally network, entity, risk_score, tags and id (then --name is required). The list is compiled,\n" +
			"stored in the database and becomes the active version; running nodes load it within decisions.list_refresh.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			c, err := e.config()
			if err != nil {
				return err
			}
			s, err := OpenStore(cmd.Context(), c)
			if err != nil {
				return err
			}
			defer s.Close()
			start := time.Now()
			last := time.Time{}
			progress := func(p screening.Progress) {
				if now := time.Now(); now.Sub(last) > 200*time.Millisecond {
					last = now
					fmt.Fprintf(e.stderr, "\rread %d rows, %d addresses, %.1f MB", p.Rows, p.Entries, float64(p.Bytes)/1e6)
				}
			}
			row, err := decision.ImportList(cmd.Context(), s, f, screening.Format(format), decision.ImportOptions{
				ImportOptions: screening.ImportOptions{Name: name, Version: version, Progress: progress},
				NewID:         func() string { return uuid.Must(uuid.NewV7()).String() }, Now: time.Now()})
			fmt.Fprintln(e.stderr)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "imported %s@%s: %d addresses, %d entities, %.1f MB stored, in %s\n", row.Name, row.Version,
				row.Entries, row.Entities, float64(row.Bytes)/1e6, time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	imp.Flags().StringVar(&format, "format", string(screening.FormatSDN), "ofac-sdn, ofac-sdn-advanced or csv")
	imp.Flags().StringVar(&name, "name", "", "list name (default ofac-sdn for the OFAC formats; required for csv)")
	imp.Flags().StringVar(&version, "version", "", "version id (default the source's publication date, else its hash)")
	list := &cobra.Command{
		Use:   "lists",
		Short: "List the screening list versions held by the node",
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
			ls, err := s.Read().ListScreeningLists(cmd.Context(), false)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%-20s  %-24s  %-6s  %10s  %s\n", "NAME", "VERSION", "ACTIVE", "ADDRESSES", "IMPORTED")
			for _, l := range ls {
				fmt.Fprintf(e.stdout, "%-20s  %-24s  %-6t  %10d  %s\n", l.Name, l.Version, l.Active, l.Entries, l.ImportedAt.Format(time.RFC3339))
			}
			return nil
		},
	}
	cmd.AddCommand(imp, list)
	return cmd
}

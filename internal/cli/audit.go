package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/store"
)

// VerifyResult is the outcome of verifying one VASP's chain.
type VerifyResult struct {
	VASPID string
	Name   string
	Events int64
	Err    error
}

// VerifyAudit walks every hosted VASP's audit chain (or only vaspID's) and reports each. progress,
// when set, is told the events checked so far.
func VerifyAudit(ctx context.Context, s store.Store, vaspID string, progress func(vasp string, n int64)) ([]VerifyResult, error) {
	vs, err := s.Read().ListVASPs(ctx)
	if err != nil {
		return nil, err
	}
	var out []VerifyResult
	for _, v := range vs {
		if vaspID != "" && v.ID != vaspID {
			continue
		}
		res := VerifyResult{VASPID: v.ID, Name: v.Name}
		ver := audit.Verifier{VASPID: v.ID}
		var after int64
		for res.Err == nil {
			events, err := s.Read().AuditRange(ctx, v.ID, after, 5000)
			if err != nil {
				return nil, err
			}
			if len(events) == 0 {
				break
			}
			for i := range events {
				if err := ver.Next(&events[i]); err != nil {
					res.Err = err
					break
				}
				res.Events++
			}
			after = events[len(events)-1].Seq
			if progress != nil {
				progress(v.Name, res.Events)
			}
		}
		if res.Err == nil {
			seq, hash, err := s.Read().AuditHead(ctx, v.ID)
			if err != nil {
				return nil, err
			}
			res.Err = ver.Finish(seq, hash)
		}
		out = append(out, res)
	}
	return out, nil
}

func (e *env) auditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Work with the audit trail"}
	var vaspID string
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Verify every VASP's hash-chained audit trail; exits non-zero on any break",
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
			return printVerify(cmd.Context(), e.stdout, e.stderr, s, vaspID)
		},
	}
	verify.Flags().StringVar(&vaspID, "vasp", "", "only this VASP")
	cmd.AddCommand(verify)
	return cmd
}

func printVerify(ctx context.Context, stdout, stderr io.Writer, s store.Store, vaspID string) error {
	results, err := VerifyAudit(ctx, s, vaspID, func(name string, n int64) {
		fmt.Fprintf(stderr, "\r%s: %d events", name, n)
	})
	fmt.Fprintln(stderr)
	if err != nil {
		return err
	}
	broken := 0
	for _, r := range results {
		if r.Err != nil {
			broken++
			fmt.Fprintf(stdout, "BROKEN  %s (%s): %v\n", r.Name, r.VASPID, r.Err)
			continue
		}
		fmt.Fprintf(stdout, "ok      %s (%s): %d events\n", r.Name, r.VASPID, r.Events)
	}
	if broken > 0 {
		return errors.New("the audit trail has been altered")
	}
	return nil
}

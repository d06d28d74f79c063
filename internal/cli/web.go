package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/waybill/waybill/internal/config"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/web"
)

// webAfter mounts the dashboard under /ui/ (and / as a redirect to it).
func (n *Node) webAfter(ctx context.Context, w *wiring) error {
	c := n.Config.Web
	if !c.Enabled {
		return nil
	}
	h, err := web.New(web.Config{Engine: n.Engine, Store: n.Store, Logger: n.Log, Clock: n.Clock, Rand: n.Rand,
		SessionIdle: c.SessionIdle, SessionMax: c.SessionMax, MaxFailures: c.MaxFailures, Lockout: c.Lockout,
		SecureCookies: c.SecureCookies, Password: passwordParams(c), Refresh: c.Refresh})
	if err != nil {
		return err
	}
	h.Mount(n.Mux)
	return nil
}

func passwordParams(c config.Web) web.PasswordParams {
	return web.PasswordParams{MemoryKiB: uint32(c.PasswordMemoryKiB), Iterations: uint32(c.PasswordIterations), Threads: 1}
}

// webCommands are the dashboard's commands (user).
func (e *env) webCommands() []*cobra.Command { return []*cobra.Command{e.userCmd()} }

func (e *env) userCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage dashboard users"}
	var in engine.NewUser
	var fromStdin bool
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a dashboard user (the first admin or operator of a node starts here)",
		Long: "Creates a user who signs in to the dashboard at /ui/ with an e-mail address and a password.\n" +
			"Roles: viewer, officer, admin (of one VASP, --vasp) or operator (of every hosted VASP, no --vasp).\n" +
			"Without --password-stdin a random password is generated and printed once.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			pw, generated, err := e.password(fromStdin)
			if err != nil {
				return err
			}
			n, err := e.open(cmd.Context())
			if err != nil {
				return err
			}
			defer n.Close()
			if in.PasswordHash, err = web.HashPassword(pw, passwordParams(n.Config.Web), n.Rand); err != nil {
				return err
			}
			u, err := n.Engine.CreateUser(cmd.Context(), cliActor(), in)
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(e.stdout, "created user %s (%s)\n  id:   %s\n  role: %s\n", u.Email, u.Name, u.ID, u.Role)
			if generated {
				fmt.Fprintf(e.stdout, "  password: %s\nstore it now: it is not shown again\n", pw)
			}
			return nil
		},
	}
	create.Flags().StringVar(&in.Email, "email", "", "e-mail address, the sign-in name (required)")
	create.Flags().StringVar(&in.Name, "name", "", "the person's name, shown in the audit trail (required)")
	create.Flags().StringVar(&in.Role, "role", store.RoleOfficer, "viewer, officer, admin or operator")
	create.Flags().StringVar(&in.VASPID, "vasp", "", "VASP id (every role but operator)")
	create.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")

	var vaspID string
	list := &cobra.Command{
		Use:   "list",
		Short: "List dashboard users (of one VASP with --vasp)",
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
			users, err := s.Read().ListUsers(cmd.Context(), vaspID)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%-36s  %-8s  %-36s  %s\n", "ID", "ROLE", "VASP", "E-MAIL")
			for _, u := range users {
				state := ""
				if u.Disabled {
					state = " (disabled)"
				}
				fmt.Fprintf(e.stdout, "%-36s  %-8s  %-36s  %s%s\n", u.ID, u.Role, u.VASPID, u.Email, state)
			}
			return nil
		},
	}
	list.Flags().StringVar(&vaspID, "vasp", "", "only this VASP's users")

	var pwStdin bool
	password := &cobra.Command{
		Use:   "password EMAIL",
		Short: "Set a user's password (and lift a sign-in lock); the user's sessions end",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pw, generated, err := e.password(pwStdin)
			if err != nil {
				return err
			}
			n, err := e.open(cmd.Context())
			if err != nil {
				return err
			}
			defer n.Close()
			ctx := cmd.Context()
			u, err := n.Store.Read().GetUserByEmail(ctx, strings.ToLower(strings.TrimSpace(args[0])))
			if errors.Is(err, store.ErrNotFound) {
				return errors.New("no user with this e-mail address")
			}
			if err != nil {
				return err
			}
			hash, err := web.HashPassword(pw, passwordParams(n.Config.Web), n.Rand)
			if err != nil {
				return err
			}
			if _, err := n.Engine.UpdateUser(ctx, cliActor(), u.ID, engine.UserUpdate{PasswordHash: &hash}); err != nil {
				return describe(err)
			}
			if err := n.Store.InTx(ctx, func(tx store.Tx) error { return tx.ClearSignInFailures(ctx, u.Email) }); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "password of %s changed\n", u.Email)
			if generated {
				fmt.Fprintf(e.stdout, "  password: %s\nstore it now: it is not shown again\n", pw)
			}
			return nil
		},
	}
	password.Flags().BoolVar(&pwStdin, "password-stdin", false, "read the password from the first line of standard input")
	cmd.AddCommand(create, list, password)
	return cmd
}

// password reads a password from standard input, or makes a random one.
func (e *env) password(fromStdin bool) (pw string, generated bool, err error) {
	if fromStdin {
		line, err := bufio.NewReader(io.LimitReader(e.stdin, web.MaxPasswordLength+2)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, err
		}
		pw = strings.TrimRight(line, "\r\n")
		if err := web.CheckPassword(pw); err != nil {
			return "", false, err
		}
		return pw, false, nil
	}
	b := make([]byte, 15)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		return "", false, err
	}
	return strings.ToLower(base32.StdEncoding.EncodeToString(b)), true, nil
}

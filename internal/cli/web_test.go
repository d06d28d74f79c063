package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/config"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/web"
)

// waybill user create, list and password, on a node's database.
func TestUserCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "waybill.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("database:\n  url: sqlite:"+filepath.Join(dir, "w.db")+"\n  sqlite_synchronous: normal\n"+
		"keys:\n  master_key_file: "+filepath.Join(dir, "w.key")+"\nweb:\n  password_memory_kib: 64\n  password_iterations: 1\n"), 0o600))
	out, errs, code := run(t, "--config", cfg, "vasp", "create", "--name", "Alpha Exchange GmbH", "--country", "DE")
	require.Zero(t, code, errs)
	vaspID := regexp.MustCompile(`id:\s+(\S+)`).FindStringSubmatch(out)[1]

	out, errs, code = run(t, "--config", cfg, "user", "create", "--email", "Ann@Alpha.example", "--name", "Ann Admin", "--role", "admin", "--vasp", vaspID)
	require.Zero(t, code, errs)
	require.Contains(t, out, "created user ann@alpha.example (Ann Admin)")
	pw := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out)[1]
	require.NoError(t, web.CheckPassword(pw))

	var stdout, stderr bytes.Buffer
	code = Main([]string{"--config", cfg, "user", "create", "--email", "ops@node.example", "--name", "Otto Operator", "--role", "operator",
		"--password-stdin"}, strings.NewReader("a chosen long password\n"), &stdout, &stderr)
	require.Zero(t, code, stderr.String())
	require.NotContains(t, stdout.String(), "password:", "a password given is not printed")

	_, errs, code = run(t, "--config", cfg, "user", "create", "--email", "ann@alpha.example", "--name", "Again", "--vasp", vaspID)
	require.NotZero(t, code)
	require.Contains(t, errs, "exists")
	_, errs, code = run(t, "--config", cfg, "user", "create", "--email", "x@alpha.example", "--name", "X", "--role", "officer")
	require.NotZero(t, code)
	require.Contains(t, errs, "operators belong to no VASP")
	stdout.Reset()
	stderr.Reset()
	code = Main([]string{"--config", cfg, "user", "create", "--email", "y@alpha.example", "--name", "Y", "--vasp", vaspID, "--password-stdin"},
		strings.NewReader("short\n"), &stdout, &stderr)
	require.NotZero(t, code)
	require.Contains(t, stderr.String(), "at least 12 characters")

	out, errs, code = run(t, "--config", cfg, "user", "list")
	require.Zero(t, code, errs)
	require.Contains(t, out, "ann@alpha.example")
	require.Contains(t, out, "ops@node.example")
	out, _, _ = run(t, "--config", cfg, "user", "list", "--vasp", vaspID)
	require.NotContains(t, out, "ops@node.example")

	out, errs, code = run(t, "--config", cfg, "user", "password", "ANN@alpha.example")
	require.Zero(t, code, errs)
	pw2 := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out)[1]
	require.NotEqual(t, pw, pw2)
	_, errs, code = run(t, "--config", cfg, "user", "password", "nobody@alpha.example")
	require.NotZero(t, code)
	require.Contains(t, errs, "no user with this e-mail address")

	c, err := OpenStore(context.Background(), mustConfig(t, cfg))
	require.NoError(t, err)
	defer c.Close()
	u, err := c.Read().GetUserByEmail(context.Background(), "ann@alpha.example")
	require.NoError(t, err)
	require.Equal(t, store.RoleAdmin, u.Role)
	require.True(t, web.VerifyPassword(u.PasswordHash, pw2))
	require.False(t, web.VerifyPassword(u.PasswordHash, pw))
}

func mustConfig(t *testing.T, path string) config.Config {
	t.Helper()
	e := &env{configPath: path}
	c, err := e.config()
	require.NoError(t, err)
	return c
}

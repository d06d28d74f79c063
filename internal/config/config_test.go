package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load("", nil)
	require.NoError(t, err)
	require.Equal(t, Default(), c)
	kind, path := c.Database.Kind()
	require.Equal(t, "sqlite", kind)
	require.Equal(t, "waybill.db", path)
}

func TestFileThenEnvironment(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "waybill.yaml")
	require.NoError(t, os.WriteFile(path, []byte("http:\n  addr: \":9000\"\njobs:\n  workers: 4\n"), 0o600))
	c, err := Load(path, []string{"WAYBILL_JOBS_WORKERS=8", "WAYBILL_HTTP_BASE_URL=https://tr.example.com", "HOME=/root",
		"WAYBILL_DATABASE_URL=postgres://u:secret@db/waybill", "WAYBILL_KEYS_MASTER_KEY=abc", "WAYBILL_JOBS_POLL=250ms"})
	require.NoError(t, err)
	require.Equal(t, ":9000", c.HTTP.Addr)
	require.Equal(t, 8, c.Jobs.Workers, "the environment wins over the file")
	require.Equal(t, 250*time.Millisecond, c.Jobs.Poll)
	require.Equal(t, "https://tr.example.com", c.HTTP.BaseURL)
	red := c.Redacted()
	require.NotContains(t, red, "secret")
	require.NotContains(t, red, "= abc")
	require.Contains(t, red, "keys.master_key = (set, hidden)")
	require.Contains(t, red, "jobs.workers = 8")
}

func TestEveryProblemListed(t *testing.T) {
	t.Parallel()
	_, err := Load("", []string{"WAYBILL_HTTP_ADDR=nonsense", "WAYBILL_DATABASE_URL=mysql://x", "WAYBILL_LOG_LEVEL=loud",
		"WAYBILL_JOBS_WORKERS=0", "WAYBILL_HTTP_ADRR=:80"})
	var ce *Error
	require.ErrorAs(t, err, &ce)
	require.Len(t, ce.Problems, 5, ce.Error())
	require.Contains(t, ce.Error(), "WAYBILL_HTTP_ADRR: unknown variable")
	require.Contains(t, ce.Error(), "database.url")

	path := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(path, []byte("htp:\n  addr: x\n"), 0o600))
	_, err = Load(path, nil)
	require.ErrorContains(t, err, `unknown setting "htp.addr"`)
	require.NotEmpty(t, Variables())
}

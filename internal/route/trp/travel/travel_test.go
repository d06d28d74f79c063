package travel

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// trisaDir is the trisacrypto/trisa module in the module cache: its test vectors are read from
// there, never copied.
var trisaDir = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/trisacrypto/trisa").Output()
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
})

func trisaFile(t *testing.T, rel string) []byte {
	t.Helper()
	dir, err := trisaDir()
	require.NoError(t, err, "go list -m github.com/trisacrypto/trisa")
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	require.NoError(t, err)
	return b
}

// vector is one test case literal of a trisa test table: its string fields in order, and the
// name of its error (empty for nil).
type vector struct {
	strs []string
	err  string
}

// trisaVectors reads the test table of function fn in a test file of the trisa module, by
// parsing the Go source: the vectors are trisa's, read from the module cache, never copied.
func trisaVectors(t *testing.T, file, fn string) []vector {
	t.Helper()
	src := trisaFile(t, file)
	f, err := parser.ParseFile(token.NewFileSet(), file, src, 0)
	require.NoError(t, err)
	var out []vector
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != fn {
			continue
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			table, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if _, isSlice := table.Type.(*ast.ArrayType); !isSlice {
				return true
			}
			for _, el := range table.Elts {
				row, ok := el.(*ast.CompositeLit)
				if !ok {
					continue
				}
				var v vector
				for _, e := range row.Elts {
					switch x := e.(type) {
					case *ast.BasicLit:
						if x.Kind == token.STRING {
							s, err := strconv.Unquote(x.Value)
							require.NoError(t, err)
							v.strs = append(v.strs, s)
						}
					case *ast.SelectorExpr:
						v.err = x.Sel.Name
					case *ast.CallExpr:
						if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
							v.err = sel.Sel.Name
						}
					case *ast.CompositeLit:
						if sel, ok := x.Type.(*ast.SelectorExpr); ok {
							v.err = sel.Sel.Name
						}
					}
				}
				out = append(out, v)
			}
			return false
		})
	}
	require.NotEmpty(t, out, "no test vectors found in %s %s", file, fn)
	return out
}

func TestTravelAddressVectors(t *testing.T) {
	t.Parallel()
	const file = "pkg/openvasp/traddr/traddr_test.go"
	t.Run("encode (traddr TestMake)", func(t *testing.T) {
		for _, v := range trisaVectors(t, file, "TestMake") {
			in, want := v.strs[0], v.strs[1]
			if !strings.Contains(in, "://") {
				in = "https://" + in
			}
			got, err := Encode(in)
			require.NoError(t, err, in)
			require.Equal(t, want, got, in)
		}
	})
	t.Run("decode (traddr TestDecodeURL)", func(t *testing.T) {
		for _, v := range trisaVectors(t, file, "TestDecodeURL") {
			u, form, err := Parse(v.strs[0])
			require.NoError(t, err, v.strs[0])
			require.Equal(t, FormTravelAddress, form)
			require.Equal(t, v.strs[1], u.String())
		}
	})
	t.Run("decode and refuse (traddr TestDecoding)", func(t *testing.T) {
		n := 0
		for _, v := range trisaVectors(t, file, "TestDecoding") {
			u, _, err := Parse(v.strs[0])
			if v.err != "" {
				require.ErrorIs(t, err, ErrAddress, "%s must be refused (%s)", v.strs[0], v.err)
				n++
				continue
			}
			require.NoError(t, err, v.strs[0])
			require.Equal(t, "https://"+v.strs[1], u.String())
		}
		require.Positive(t, n, "the table has refusals")
	})
	t.Run("encoded addresses decode (traddr TestEncoding)", func(t *testing.T) {
		for _, v := range trisaVectors(t, file, "TestEncoding") {
			if v.err != "" {
				continue
			}
			u, _, err := Parse(v.strs[1])
			require.NoError(t, err, v.strs[1])
			require.Equal(t, "https://"+v.strs[0], u.String())
			got, err := Encode("https://" + v.strs[0])
			require.NoError(t, err)
			require.Equal(t, v.strs[1], got)
		}
	})
}

func TestLNURLVectors(t *testing.T) {
	t.Parallel()
	const file = "pkg/openvasp/lnurl/lnurl_test.go"
	for _, v := range trisaVectors(t, file, "TestLNURL") {
		for _, form := range []string{v.strs[0], strings.ToUpper(v.strs[0]), strings.ToLower(v.strs[0])} {
			u, kind, err := Parse(form)
			require.NoError(t, err, form)
			require.Equal(t, FormLNURL, kind)
			require.Equal(t, v.strs[1], u.String())
		}
	}
	n := 0
	for _, v := range trisaVectors(t, file, "TestLNURLErrors") {
		if strings.Contains(v.strs[0], "://") {
			continue // not an LNURL at all: for us a plain URL, which is a valid address
		}
		_, _, err := Parse(v.strs[0])
		require.ErrorIs(t, err, ErrAddress, v.strs[0])
		n++
	}
	require.Positive(t, n)
}

func TestTravelAddressWithIPAndPort(t *testing.T) {
	t.Parallel()
	// traddr cannot parse an IP literal followed by a port; we encode and decode it by the
	// same rule (two nodes on one machine in development and tests).
	for _, u := range []string{"https://127.0.0.1:8443/trp/v/abc?t=i", "https://[::1]:8443/trp/v/abc/w/def?t=i", "https://10.0.0.7:9000/x?t=i"} {
		ta, err := Encode(u)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(ta, "ta"))
		got, form, err := Parse(ta)
		require.NoError(t, err)
		require.Equal(t, FormTravelAddress, form)
		require.Equal(t, u, got.String())
	}
	// Tampering breaks the checksum.
	ta, err := Encode("https://127.0.0.1:8443/trp/v/abc?t=i")
	require.NoError(t, err)
	last := byte('2')
	if ta[len(ta)-1] == '2' {
		last = '3'
	}
	bad := ta[:len(ta)-1] + string(last)
	_, _, err = Parse(bad)
	require.ErrorIs(t, err, ErrAddress)
}

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want, form string
	}{
		{"https://trp.beta.example:8443/trp/v/x?t=i", "https://trp.beta.example:8443/trp/v/x?t=i", FormURL},
		{"  http://127.0.0.1:8080/trp/v/x ", "http://127.0.0.1:8080/trp/v/x", FormURL},
	} {
		u, form, err := Parse(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, u.String())
		require.Equal(t, tc.form, form)
	}
	for _, in := range []string{"", "beneficiary.com/x?t=i", "ftp://x.example/a", "https://", "https://u:p@x.example/", "ta", "ta0OIl",
		"lnurl1", strings.Repeat("a", 10000)} {
		_, _, err := Parse(in)
		require.ErrorIs(t, err, ErrAddress, "%.40q", in)
		require.True(t, errors.Is(err, ErrAddress))
	}
}

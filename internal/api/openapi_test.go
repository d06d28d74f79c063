package api

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite docs/openapi.json from the code")

func golden() string { return filepath.Join("..", "..", "docs", "openapi.json") }

// TestOpenAPIGolden keeps docs/openapi.json equal to the document the code generates, and
// checks that the document is valid OpenAPI.
func TestOpenAPIGolden(t *testing.T) {
	got, err := Spec()
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile(golden(), got, 0o644))
	}
	want, err := os.ReadFile(golden())
	require.NoError(t, err, "run go test ./internal/api -run TestOpenAPIGolden -update")
	require.Equal(t, string(want), string(got), "docs/openapi.json is stale: run go test ./internal/api -run TestOpenAPIGolden -update")

	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(got)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	require.Equal(t, "3.1.0", doc.OpenAPI)

	// Every operation is described, tagged and secured.
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			require.NotEmpty(t, op.Summary, "%s %s", method, path)
			require.NotEmpty(t, op.Description, "%s %s", method, path)
			require.NotEmpty(t, op.Tags, "%s %s", method, path)
			require.NotNil(t, op.Security, "%s %s", method, path)
		}
	}
}

// TestServedDocuments: /openapi.json serves the golden document, /docs renders it without
// scripts.
func TestServedDocuments(t *testing.T) {
	mux := http.NewServeMux()
	Register(mux, Config{})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	get := func(path string) (string, []byte) {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.Header.Get("Content-Type"), b
	}
	ct, spec := get("/openapi.json")
	require.True(t, strings.HasPrefix(ct, "application/vnd.oai.openapi+json"), ct)
	want, err := Spec()
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, spec))

	ct, page := get("/docs")
	require.Equal(t, "text/html; charset=utf-8", ct)
	html := string(page)
	require.NotContains(t, html, "<script")
	for _, s := range []string{"POST", "/v1/transfers/{id}/accept", "Create a transfer", "IVMS101Originator", "next_cursor", "Administration"} {
		require.Contains(t, html, s)
	}
}

package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/engine"
)

func TestErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, contentType, body string
		status                  int
		detail, location        string
	}{
		{"problem document", "application/problem+json", `{"title":"Unprocessable Entity","status":422,"detail":"the request is invalid","errors":[{"location":"body.amount","code":"invalid_amount","message":"m"}]}`, 422, "the request is invalid", "body.amount"},
		{"not a problem", "text/plain", "gateway timeout", 504, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				require.Equal(t, "Bearer k1", r.Header.Get("Authorization"))
				w.Header().Set("Content-Type", tc.contentType)
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			_, err := New(srv.URL, "k1").GetTransfer(context.Background(), "x", false)
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tc.status, e.StatusCode)
			require.Equal(t, tc.status, StatusOf(err))
			require.Equal(t, tc.status, e.Problem.Status)
			require.Equal(t, tc.detail, e.Problem.Detail)
			if tc.location != "" {
				require.Equal(t, tc.location, e.Problem.Errors[0].Location)
			}
		})
	}
}

func TestCreatedStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status  int
		created bool
	}{{http.StatusCreated, true}, {http.StatusOK, false}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			require.Equal(t, "/v1/deposits", r.URL.Path)
			w.WriteHeader(tc.status)
			_, _ = w.Write([]byte(`{"id":"d1","match":"none"}`))
		}))
		d, created, err := New(srv.URL, "k").CreateDeposit(context.Background(), engine.DepositInput{})
		srv.Close()
		require.NoError(t, err)
		require.Equal(t, "d1", d.ID)
		require.Equal(t, tc.created, created)
	}
}

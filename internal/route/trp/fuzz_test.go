package trp

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Fuzz targets for everything a peer can send: request bodies, headers and addresses. None may
// panic; every refusal is the protocol's own (a *WireError, a 4xx); seeds are in testdata/fuzz.

func FuzzDecodeInquiry(f *testing.F) {
	f.Add([]byte(inquiryBody(`{"slip0044":"ETH"}`, `1.5`, "https://a.example/cb")))
	f.Add([]byte(inquiryBody(`{"slip0044":0}`, `"0.000021"`, "https://a.example/cb")))
	f.Add([]byte(`{"asset":{"dti":"4H95J0R2X"},"amount":1e-40,"callback":"https://x.example","IVMS101":{"originator":{"originatorPersons":{}}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := DecodeInquiry(body)
		if err != nil {
			var we *WireError
			require.ErrorAs(t, err, &we)
			return
		}
		require.True(t, in.Amount.IsPositive())
		require.NotEmpty(t, in.Callback)
		// What we read, we can send on strictly and read back the same.
		out, err := EncodeInquiry(in)
		if err != nil {
			return // a code trisa's enums lack cannot be written: refused, not a panic
		}
		back, err := DecodeInquiry(out)
		require.NoError(t, err, "%s", out)
		require.True(t, in.Amount.Equal(back.Amount))
		require.Equal(t, in.Asset.HasSLIP44 || in.Asset.DTI != "", back.Asset.HasSLIP44 || back.Asset.DTI != "")
	})
}

func FuzzDecodeCallbacks(f *testing.F) {
	for _, s := range []string{`{"version":"3.1.0"}`, `{"approved":{"address":"bc1q","callback":"https://b.example/c"}}`,
		`{"rejected":"declined: x"}`, `{"txid":"0xabc"}`, `{"canceled":"x"}`, `{"approved":{"address":"","callback":1}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var we *WireError
		if r, err := DecodeResolution(body); err != nil {
			require.ErrorAs(t, err, &we)
		} else {
			n := 0
			if r.Version != "" {
				n++
			}
			if r.Approved != nil {
				n++
				require.NotEmpty(t, r.Approved.Address)
				require.NotEmpty(t, r.Approved.Callback)
			}
			if r.Rejected != "" {
				n++
			}
			require.Equal(t, 1, n, "exactly one answer")
			m, _ := readRefusal(r.Rejected)
			m.TransferMessageID = "m"
			require.NoError(t, m.Validate(), "a refusal reads as a valid message")
		}
		if c, err := DecodeConfirmation(body); err != nil {
			require.ErrorAs(t, err, &we)
		} else {
			require.True(t, (c.TxID == "") != (c.Canceled == ""), "exactly one of txid and canceled")
		}
	})
}

// FuzzInquiryHandler posts whatever the fuzzer makes, headers and body, to the inquiry
// endpoint: the answer is always a TRP status, never a 500.
func FuzzInquiryHandler(f *testing.F) {
	good := inquiryBody(`{"slip0044":"ETH"}`, `1.5`, alphaCallback)
	f.Add([]byte(good), "3.1.0", requestID, "application/json", "")
	f.Add([]byte(good), "2.1.0", "r-1", "", "w1")
	f.Add([]byte(good), "3.2.1", "r-2", "application/json; charset=utf-8", "nope")
	f.Add([]byte(`{"asset":{"slip0044":"BTC"},"amount":"1","callback":"https://alpha.example:8443/cb","IVMS101":{"originator":{}}}`), "3", "r 3", "text/plain", "")
	f.Add([]byte(strings.Replace(good, "alpha.example", "mallory.example", 1)), "3.0.0", "r-4", "application/json", "")
	fx := newFixture(f, false)
	f.Fuzz(func(t *testing.T, body []byte, version, reqID, contentType, wallet string) {
		if wallet == "." || wallet == ".." {
			return // a dot segment: the mux redirects to the clean path before TRP sees it
		}
		path := InquiryPath("v1", "")
		if wallet != "" {
			path = InquiryPath("v1", wallet)
		}
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
		req.URL.Path, req.URL.RawPath = path, ""
		for k, v := range map[string]string{HeaderAPIVersion: version, HeaderRequestIdentifier: reqID, "Content-Type": contentType} {
			if strings.ContainsAny(v, "\r\n\x00") {
				return // not a header a client can send
			}
			req.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		fx.mux.ServeHTTP(w, req)
		require.Contains(t, []int{200, 400, 403, 404, 405, 409, 413, 415, 422}, w.Code, "%d %s", w.Code, w.Body.String())
	})
}

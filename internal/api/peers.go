package api

import (
	"bytes"
	"context"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/vasp"
)

// peerRoutes registers the operations of the routes to other nodes: counterparty import,
// attribution lists, travel addresses.
func (s *server) peerRoutes(a huma.API) {
	huma.Register(a, s.importOp(a, "POST /v1/counterparties/import", "import-counterparties", tagCounterparties, "Import counterparties",
		"Adds or replaces directory entries from a file: JSON (application/json, a list of counterparties as create takes "+
			"them) or CSV (text/csv, a header naming some of "+strings.Join(engine.CounterpartyColumns(), ", ")+"; name is "+
			"required). A row matching an entry by LEI, else by name, replaces its data; the others are created. Every row is "+
			"checked first: any invalid row refuses the whole file with a 422 naming the rows. Transfers waiting for a route "+
			"to an updated entry are retried.", reflect.TypeFor[[]engine.CounterpartyInput]()), s.importCounterparties)
	huma.Register(a, s.importOp(a, "POST /v1/routing/attributions", "import-attributions", tagRouting, "Import an attribution list",
		"Records which counterparty owns which addresses, from a list (source attribution_list, confidence likely), for "+
			"GET /v1/routing and route choice: JSON (a list of objects) or CSV (text/csv) with network, address, and "+
			"counterparty_id or counterparty_lei. An address a counterparty confirmed in a transfer keeps that knowledge "+
			"(skipped). Every row is checked first: any invalid row refuses the whole file.", reflect.TypeFor[[]engine.AttributionRow]()),
		s.importAttributions)
	s.emailRoutes(a)
}

// importOp describes an import that takes JSON or CSV.
func (s *server) importOp(a huma.API, route, id, tag, summary, desc string, jsonType reflect.Type) huma.Operation {
	o := s.op(route, id, tag, 0, summary, desc)
	o.RequestBody = &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
		"application/json": {Schema: a.OpenAPI().Components.Schemas.Schema(jsonType, true, "")},
	}}
	// The engine reads both formats and names the rows at fault; huma would only read JSON.
	o.SkipValidateBody = true
	return o
}

type importFileInput struct {
	ContentType string `header:"Content-Type" doc:"application/json or text/csv."`
	RawBody     []byte `contentType:"text/csv"`
}

// importFormat reads the format of an import from its content type.
func importFormat(ctx context.Context, ct string) (string, error) {
	mt, _, err := mime.ParseMediaType(ct)
	switch {
	case err != nil:
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return engine.FormatJSON, nil
	case mt == "text/csv":
		return engine.FormatCSV, nil
	}
	return "", newProblem(ctx, http.StatusUnsupportedMediaType, "send application/json or text/csv",
		ProblemError{Location: "header.Content-Type", Code: "unsupported_media_type", Message: "must be application/json or text/csv"})
}

type counterpartyImportOutput struct {
	Body *engine.CounterpartyImportResult
}

func (s *server) importCounterparties(ctx context.Context, in *importFileInput) (*counterpartyImportOutput, error) {
	p := who(ctx)
	format, err := importFormat(ctx, in.ContentType)
	if err != nil {
		return nil, err
	}
	res, err := s.eng.ImportCounterparties(ctx, p.actor(), p.VASPID, bytes.NewReader(in.RawBody), format)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	if res.IDs == nil {
		res.IDs = []string{}
	}
	return &counterpartyImportOutput{Body: res}, nil
}

func (s *server) importAttributions(ctx context.Context, in *importFileInput) (*importOutput, error) {
	p := who(ctx)
	format, err := importFormat(ctx, in.ContentType)
	if err != nil {
		return nil, err
	}
	res, err := s.eng.ImportAttributions(ctx, p.actor(), p.VASPID, bytes.NewReader(in.RawBody), format, nil)
	if err != nil {
		return nil, s.problemFor(ctx, err)
	}
	return &importOutput{Body: res}, nil
}

// VASPView is a hosted VASP as the API shows it: with its travel address when TRP is on.
type VASPView struct {
	vasp.VASP
	TravelAddress string `json:"travel_address,omitempty" doc:"The VASP's TRP travel address (ta…): counterparties send inquiries for any of its customers there. Absent when TRP is off."`
}

// WalletView is an address-book entry as the API shows it: with its travel address when TRP
// is on.
type WalletView struct {
	vasp.Wallet
	TravelAddress string `json:"travel_address,omitempty" doc:"The TRP travel address of this wallet (ta…): an inquiry sent there names this address as the destination. Absent when TRP is off."`
}

func (s *server) vaspView(v *vasp.VASP) *VASPView {
	if v == nil {
		return nil
	}
	out := &VASPView{VASP: *v}
	if s.travel != nil {
		out.TravelAddress = s.travel(v.ID, "")
	}
	return out
}

func (s *server) walletView(w *vasp.Wallet) *WalletView {
	if w == nil {
		return nil
	}
	out := &WalletView{Wallet: *w}
	if s.travel != nil {
		out.TravelAddress = s.travel(w.VASPID, w.ID)
	}
	return out
}

package engine

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/route/trp/travel"
	"github.com/waybill/waybill/internal/store"
)

// Import file formats.
const (
	FormatJSON = "json"
	FormatCSV  = "csv"
)

// Bounds of the directory imports.
const (
	maxCounterpartyRows = 10_000
	maxAttributionRows  = 1_000_000
	maxImportErrors     = 100
)

// CounterpartyColumns are the CSV columns of a counterparty import (name is required; the
// others may be left out). JSON imports are a list of CounterpartyInput objects, or an object
// with that list under "counterparties".
func CounterpartyColumns() []string {
	return []string{"name", "lei", "country", "jurisdiction", "website", "standing", "trp_url", "trp_travel_address",
		"trp_api_version", "trp_allow_private", "trisa_endpoint", "trisa_common_name", "email", "preferred"}
}

// CounterpartyImportResult counts what a directory import did.
type CounterpartyImportResult struct {
	Created int `json:"created"`
	Updated int `json:"updated" doc:"Rows that matched an entry (by LEI, else by name) and replaced its data."`
	// IDs lists the entries created or updated, in file order.
	IDs    []string     `json:"ids"`
	Errors []FieldError `json:"errors,omitempty" doc:"Rows refused (nothing is imported when any row is invalid)."`
}

// ImportCounterparties adds or replaces directory entries from a JSON or CSV file. A row
// matching an entry by LEI (or, without an LEI, by name, ignoring case) replaces its data; the
// others are created. Every row is checked first and the file is imported in one transaction:
// an invalid row refuses the whole file. Transfers waiting for a route to an updated entry are
// retried afterwards.
func (e *Engine) ImportCounterparties(ctx context.Context, actor audit.Actor, vaspID string, r io.Reader, format string) (*CounterpartyImportResult, error) {
	rows, rowErrs, err := readCounterparties(r, format)
	if err != nil {
		return nil, err
	}
	var fe []FieldError
	for i := range rows {
		path := rowPath(format, i)
		fe = append(fe, rowErrs[i]...)
		for _, f := range rows[i].check() {
			f.Path = path + f.Path
			fe = append(fe, f)
		}
		fe = append(fe, checkTravelAddress(&rows[i], path)...)
		if len(fe) > maxImportErrors {
			break
		}
	}
	if len(fe) > 0 {
		return &CounterpartyImportResult{Errors: fe}, &ValidationError{Fields: fe}
	}
	res := &CounterpartyImportResult{}
	var updated []string
	err = e.do(ctx, actor, func(o *op) error {
		res.Created, res.Updated, res.IDs, updated = 0, 0, nil, nil
		byLEI, byName, err := directoryIndex(o, vaspID)
		if err != nil {
			return err
		}
		for i := range rows {
			in := &rows[i]
			c := byLEI[in.LEI]
			if in.LEI == "" || c == nil {
				if c2 := byName[strings.ToLower(strings.TrimSpace(in.Name))]; c2 != nil && (in.LEI == "" || c2.LEI == "") {
					c = c2
				}
			}
			if c == nil {
				c = &counterparty.Counterparty{ID: e.newID(), VASPID: vaspID, Name: strings.TrimSpace(in.Name), LEI: in.LEI, Country: in.Country,
					Jurisdiction: in.Jurisdiction, Website: in.Website, Standing: in.Standing, Routes: in.Routes, CreatedAt: o.now, UpdatedAt: o.now}
				if err := o.tx.CreateCounterparty(o.ctx, c); err != nil {
					return err
				}
				res.Created++
				if err := o.audit(vaspID, "", "counterparty.created", "", "", "", map[string]any{"counterparty_id": c.ID, "standing": c.Standing, "source": "import"}); err != nil {
					return err
				}
			} else {
				before := c.Standing
				c.Name, c.LEI, c.Country, c.Jurisdiction, c.Website = strings.TrimSpace(in.Name), in.LEI, in.Country, in.Jurisdiction, in.Website
				c.Standing, c.Routes, c.UpdatedAt = in.Standing, in.Routes, o.now
				o.refChanged = true
				if err := o.tx.UpdateCounterparty(o.ctx, c); err != nil {
					return err
				}
				res.Updated++
				updated = append(updated, c.ID)
				if err := o.audit(vaspID, "", "counterparty.updated", "", "", "", map[string]any{"counterparty_id": c.ID, "standing_from": before, "standing": c.Standing, "source": "import"}); err != nil {
					return err
				}
			}
			if c.LEI != "" {
				byLEI[c.LEI] = c
			}
			byName[strings.ToLower(c.Name)] = c
			res.IDs = append(res.IDs, c.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range updated {
		if _, err := e.RouteAdded(ctx, actor, vaspID, id); err != nil {
			return res, err
		}
	}
	return res, nil
}

func rowPath(format string, i int) string {
	if format == FormatCSV {
		return fmt.Sprintf("line[%d].", i+2)
	}
	return fmt.Sprintf("[%d].", i)
}

// directoryIndex maps a VASP's directory by LEI and by lower-cased name.
func directoryIndex(o *op, vaspID string) (map[string]*counterparty.Counterparty, map[string]*counterparty.Counterparty, error) {
	byLEI, byName := map[string]*counterparty.Counterparty{}, map[string]*counterparty.Counterparty{}
	after := ""
	for {
		page, err := o.tx.ListCounterparties(o.ctx, vaspID, after, 1000)
		if err != nil {
			return nil, nil, err
		}
		for i := range page {
			c := &page[i]
			if c.LEI != "" {
				if _, dup := byLEI[c.LEI]; !dup {
					byLEI[c.LEI] = c
				}
			}
			if _, dup := byName[strings.ToLower(c.Name)]; !dup {
				byName[strings.ToLower(c.Name)] = c
			}
		}
		if len(page) < 1000 {
			return byLEI, byName, nil
		}
		after = page[len(page)-1].ID
	}
}

// checkTravelAddress checks a TRP travel address decodes (ta…, LNURL, or a URL), as the TRP
// route will read it.
func checkTravelAddress(in *CounterpartyInput, path string) []FieldError {
	if in.Routes.TRP == nil {
		return nil
	}
	ta := strings.TrimSpace(in.Routes.TRP.TravelAddress)
	in.Routes.TRP.TravelAddress = ta
	if ta == "" {
		return nil
	}
	if _, _, err := travel.Parse(ta); err != nil {
		return []FieldError{{Path: path + "routes.trp.travel_address", Code: "invalid_travel_address",
			Message: "travel_address must be a travel address (ta…), an LNURL or an http(s) URL"}}
	}
	return nil
}

// readCounterparties parses an import file into rows; problems of the file itself are a
// *ValidationError, problems of a row's cells are returned by row index.
func readCounterparties(r io.Reader, format string) ([]CounterpartyInput, map[int][]FieldError, error) {
	switch format {
	case FormatJSON:
		data, err := io.ReadAll(io.LimitReader(r, 64<<20))
		if err != nil {
			return nil, nil, err
		}
		data = bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\ufeff")))
		var rows []CounterpartyInput
		if len(data) > 0 && data[0] == '{' {
			var wrap struct {
				Counterparties []CounterpartyInput `json:"counterparties"`
			}
			if err := strictJSON(data, &wrap); err != nil {
				return nil, nil, err
			}
			rows = wrap.Counterparties
		} else if err := strictJSON(data, &rows); err != nil {
			return nil, nil, err
		}
		if len(rows) > maxCounterpartyRows {
			return nil, nil, invalid("file", "too_large", fmt.Sprintf("at most %d counterparties per import", maxCounterpartyRows))
		}
		return rows, nil, nil
	case FormatCSV:
		return readCounterpartyCSV(r)
	}
	return nil, nil, invalid("format", "invalid", "format must be json or csv")
}

func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return invalid("file", "invalid_json", fmt.Sprintf("%s has the wrong type", te.Field))
		}
		if strings.HasPrefix(err.Error(), "json: unknown field ") {
			return invalid("file", "unknown_field", "the file has a field that is not a counterparty field")
		}
		return invalid("file", "invalid_json", "the file is not a JSON list of counterparties")
	}
	if dec.More() {
		return invalid("file", "invalid_json", "the file must hold one JSON document")
	}
	return nil
}

func readCounterpartyCSV(r io.Reader) ([]CounterpartyInput, map[int][]FieldError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, nil, invalid("csv", "invalid_csv", "the file has no header row")
	}
	col := map[string]int{}
	known := map[string]bool{}
	for _, c := range CounterpartyColumns() {
		known[c] = true
	}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !known[name] {
			return nil, nil, invalid("csv", "unknown_column", fmt.Sprintf("column %d of the header is not one of %s", i+1, strings.Join(CounterpartyColumns(), ", ")))
		}
		col[name] = i
	}
	if _, ok := col["name"]; !ok {
		return nil, nil, invalid("csv", "invalid_csv", "the header must name a name column")
	}
	var rows []CounterpartyInput
	fe := map[int][]FieldError{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, invalid("csv", "invalid_csv", fmt.Sprintf("line %d is not valid CSV", line))
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		in := CounterpartyInput{Name: get("name"), LEI: get("lei"), Country: get("country"), Jurisdiction: get("jurisdiction"),
			Website: get("website"), Standing: counterparty.Standing(strings.ToLower(get("standing"))),
			Routes: counterparty.Routes{Email: get("email"), Preferred: strings.ToLower(get("preferred"))}}
		if u, ta, v, p := get("trp_url"), get("trp_travel_address"), get("trp_api_version"), get("trp_allow_private"); u != "" || ta != "" || v != "" || p != "" {
			in.Routes.TRP = &counterparty.TRP{URL: u, TravelAddress: ta, APIVersion: v}
			if p != "" {
				b, err := strconv.ParseBool(p)
				if err != nil {
					fe[len(rows)] = append(fe[len(rows)], FieldError{Path: fmt.Sprintf("line[%d].trp_allow_private", line), Code: "invalid",
						Message: "trp_allow_private must be true or false"})
				}
				in.Routes.TRP.AllowPrivate = b
			}
		}
		if ep, cn := get("trisa_endpoint"), get("trisa_common_name"); ep != "" || cn != "" {
			in.Routes.TRISA = &counterparty.TRISA{Endpoint: ep, CommonName: cn}
		}
		rows = append(rows, in)
		if len(rows) > maxCounterpartyRows {
			return nil, nil, invalid("csv", "too_large", fmt.Sprintf("at most %d counterparties per import", maxCounterpartyRows))
		}
	}
	return rows, fe, nil
}

// Attribution confidences.
const (
	ConfidenceConfirmed = "confirmed"
	ConfidenceLikely    = "likely"
)

// AttributionColumns are the CSV columns of an attribution list: network and address, and the
// counterparty by counterparty_id or counterparty_lei. JSON imports are a list of objects with
// the same keys.
func AttributionColumns() []string {
	return []string{"network", "address", "counterparty_id", "counterparty_lei"}
}

// AttributionRow is one row of an attribution list.
type AttributionRow struct {
	Network         string `json:"network" doc:"Network (chain) name, e.g. ethereum."`
	Address         string `json:"address" doc:"The address the counterparty owns."`
	CounterpartyID  string `json:"counterparty_id,omitempty" doc:"Directory id of the counterparty; or give counterparty_lei."`
	CounterpartyLEI string `json:"counterparty_lei,omitempty" doc:"LEI of a counterparty in the directory."`
}

// ImportAttributions records which counterparty owns which addresses from an attribution list
// (source attribution_list, confidence likely), for address routing (GET /v1/routing) and
// route choice. Every row is checked first (the address for its network, the counterparty in
// the directory); an invalid row refuses the whole file. An address already known with
// confidence confirmed (a counterparty confirmed it in a transfer) keeps that knowledge and is
// counted as skipped. Rows are written in transactions of a thousand; progress, when set, is
// told after each.
func (e *Engine) ImportAttributions(ctx context.Context, actor audit.Actor, vaspID string, r io.Reader, format string, progress func(done int)) (*ImportResult, error) {
	rows, err := readAttributions(r, format)
	if err != nil {
		return nil, err
	}
	rd := e.store.Read()
	ids := map[string]bool{}
	byLEI := map[string]string{}
	for after := ""; ; {
		page, err := rd.ListCounterparties(ctx, vaspID, after, 1000)
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			ids[c.ID] = true
			if c.LEI != "" && byLEI[c.LEI] == "" {
				byLEI[c.LEI] = c.ID
			}
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	res := &ImportResult{}
	for i := range rows {
		a := &rows[i]
		path := rowPath(format, i)
		a.Network, a.Address = strings.ToLower(strings.TrimSpace(a.Network)), strings.TrimSpace(a.Address)
		if err := e.addr.Validate(a.Network, a.Address); err != nil {
			res.Errors = append(res.Errors, FieldError{Path: path + "address", Code: "invalid_address", Message: err.Error()})
		}
		switch {
		case a.CounterpartyID != "":
			if !ids[a.CounterpartyID] {
				res.Errors = append(res.Errors, FieldError{Path: path + "counterparty_id", Code: "not_found", Message: "no counterparty with this id in the directory"})
			}
		case a.CounterpartyLEI != "":
			if a.CounterpartyID = byLEI[strings.ToUpper(strings.TrimSpace(a.CounterpartyLEI))]; a.CounterpartyID == "" {
				res.Errors = append(res.Errors, FieldError{Path: path + "counterparty_lei", Code: "not_found", Message: "no counterparty with this LEI in the directory"})
			}
		default:
			res.Errors = append(res.Errors, FieldError{Path: path + "counterparty_id", Code: "required", Message: "give counterparty_id or counterparty_lei"})
		}
		if len(res.Errors) > maxImportErrors {
			break
		}
	}
	if len(res.Errors) > 0 {
		return res, &ValidationError{Fields: res.Errors}
	}
	for start := 0; start < len(rows); start += 1000 {
		batch := rows[start:min(start+1000, len(rows))]
		created, skipped := 0, 0
		err := e.do(ctx, actor, func(o *op) error {
			created, skipped = 0, 0
			for _, a := range batch {
				key := e.addr.Key(a.Network, a.Address)
				prev, err := o.tx.FindAttribution(o.ctx, vaspID, a.Network, key)
				switch {
				case err == nil && prev.Confidence == ConfidenceConfirmed:
					skipped++
					continue
				case err != nil && !isNotFound(err):
					return err
				}
				if err := o.tx.UpsertAttribution(o.ctx, &store.Attribution{VASPID: vaspID, Network: a.Network, Address: a.Address,
					CounterpartyID: a.CounterpartyID, Source: SourceAttributionList, Confidence: ConfidenceLikely, UpdatedAt: o.now}, key); err != nil {
					return err
				}
				created++
			}
			return o.audit(vaspID, "", "attribution.imported", "", "", "", map[string]any{"recorded": created, "skipped": skipped})
		})
		if err != nil {
			return nil, err
		}
		res.Created += created
		res.Skipped += skipped
		if progress != nil {
			progress(start + len(batch))
		}
	}
	return res, nil
}

func readAttributions(r io.Reader, format string) ([]AttributionRow, error) {
	switch format {
	case FormatJSON:
		data, err := io.ReadAll(io.LimitReader(r, 512<<20))
		if err != nil {
			return nil, err
		}
		var rows []AttributionRow
		if err := strictJSON(bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\ufeff"))), &rows); err != nil {
			return nil, err
		}
		if len(rows) > maxAttributionRows {
			return nil, invalid("file", "too_large", "at most a million rows per import")
		}
		return rows, nil
	case FormatCSV:
		cr := csv.NewReader(r)
		cr.FieldsPerRecord = -1
		cr.TrimLeadingSpace = true
		cr.ReuseRecord = true
		header, err := cr.Read()
		if err != nil {
			return nil, invalid("csv", "invalid_csv", "the file has no header row")
		}
		col := map[string]int{}
		for i, h := range header {
			col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
		}
		for _, need := range []string{"network", "address"} {
			if _, ok := col[need]; !ok {
				return nil, invalid("csv", "invalid_csv", "the header must name network and address columns")
			}
		}
		_, byID := col["counterparty_id"]
		_, byLEI := col["counterparty_lei"]
		if !byID && !byLEI {
			return nil, invalid("csv", "invalid_csv", "the header must name counterparty_id or counterparty_lei")
		}
		var rows []AttributionRow
		for line := 2; ; line++ {
			rec, err := cr.Read()
			if err == io.EOF {
				return rows, nil
			}
			if err != nil {
				return nil, invalid("csv", "invalid_csv", fmt.Sprintf("line %d is not valid CSV", line))
			}
			get := func(name string) string {
				if i, ok := col[name]; ok && i < len(rec) {
					return strings.TrimSpace(rec[i])
				}
				return ""
			}
			rows = append(rows, AttributionRow{Network: get("network"), Address: get("address"),
				CounterpartyID: get("counterparty_id"), CounterpartyLEI: get("counterparty_lei")})
			if len(rows) > maxAttributionRows {
				return nil, invalid("csv", "too_large", "at most a million rows per import")
			}
		}
	}
	return nil, invalid("format", "invalid", "format must be json or csv")
}

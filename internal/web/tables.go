package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/policy"
	"github.com/waybill/waybill/internal/store"
)

// tablesView is the node's reference tables.
type tablesView struct {
	Jurisdictions []policy.Jurisdiction
	FX            []policy.FXRate
	Assets        []store.Asset
}

func (h *Handler) tables(c *call) error {
	var v tablesView
	var err error
	if v.Jurisdictions, err = h.st.Read().ListJurisdictions(c.ctx()); err != nil {
		return err
	}
	if v.FX, err = h.st.Read().ListFXRates(c.ctx()); err != nil {
		return err
	}
	if v.Assets, err = h.st.Read().ListAssets(c.ctx()); err != nil {
		return err
	}
	c.render(http.StatusOK, "tables", "Jurisdictions and FX", "tables", &v)
	return nil
}

// jurisdictionView is one row of the jurisdiction table as a form.
type jurisdictionView struct {
	J      policy.Jurisdiction
	New    bool
	Fields []string
}

func (h *Handler) jurisdictionPage(c *call) error {
	code := strings.ToUpper(c.r.PathValue("code"))
	v := &jurisdictionView{Fields: requiredFieldNames()}
	j, err := h.st.Read().GetJurisdiction(c.ctx(), code)
	switch {
	case err == nil:
		v.J = *j
	case errors.Is(err, store.ErrNotFound) && code == "NEW" && c.can(store.RoleOperator):
		v.New = true
	default:
		return err
	}
	c.render(http.StatusOK, "jurisdiction", "Jurisdiction "+v.J.Code, "tables", v)
	return nil
}

// lines splits a textarea into its non-empty lines (commas separate too).
func lines(s string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (h *Handler) putJurisdiction(c *call) error {
	code := strings.ToUpper(c.r.PathValue("code"))
	f := func(name string) string { return strings.TrimSpace(c.r.PostFormValue(name)) }
	if code == "NEW" {
		code = strings.ToUpper(f("code"))
	}
	back := Prefix + "tables/jurisdictions/" + code
	bad := func(path, msg string) error {
		return c.done(&engine.ValidationError{Fields: []engine.FieldError{{Path: path, Message: msg}}}, back, "")
	}
	th, err := decimal.NewFromString(f("threshold"))
	if err != nil {
		return bad("threshold", "must be a decimal number")
	}
	j := policy.Jurisdiction{Code: code, Name: f("name"), Threshold: th, Currency: strings.ToUpper(f("currency")),
		RequiredOriginator: lines(f("required_originator")), RequiredBeneficiary: lines(f("required_beneficiary")),
		BelowRequiredOriginator: lines(f("below_required_originator")), BelowRequiredBeneficiary: lines(f("below_required_beneficiary")),
		UnhostedRule: f("unhosted_rule"), Source: f("source"), SourceDate: f("source_date")}
	if s := f("unhosted_proof_threshold"); s != "" {
		d, err := decimal.NewFromString(s)
		if err != nil {
			return bad("unhosted_proof_threshold", "must be a decimal number")
		}
		j.UnhostedProofThreshold = &d
	}
	_, err = h.eng.PutJurisdiction(c.ctx(), j, engine.KnownRequirement)
	return c.done(err, back, "Jurisdiction saved.")
}

func (h *Handler) putFXRate(c *call) error {
	f := func(name string) string { return strings.TrimSpace(c.r.PostFormValue(name)) }
	back := Prefix + "tables"
	rate, err := decimal.NewFromString(f("rate"))
	if err != nil {
		return c.done(&engine.ValidationError{Fields: []engine.FieldError{{Path: "rate", Message: "must be a decimal number"}}}, back, "")
	}
	r := policy.FXRate{Base: f("base"), Quote: f("quote"), Rate: rate, Source: f("source")}
	if s := f("as_of"); s != "" {
		if r.AsOf, err = time.Parse("2006-01-02", s); err != nil {
			return c.done(&engine.ValidationError{Fields: []engine.FieldError{{Path: "as_of", Message: "must be a date (YYYY-MM-DD)"}}}, back, "")
		}
	}
	_, err = h.eng.PutFXRate(c.ctx(), r)
	return c.done(err, back, "FX rate saved.")
}

func (h *Handler) deleteFXRate(c *call) error {
	base, quote := c.r.PostFormValue("base"), c.r.PostFormValue("quote")
	if c.r.PostFormValue("confirmed") != "yes" {
		c.render(http.StatusOK, "confirm", "Confirm: delete", "tables", confirmView{Action: "Delete",
			PostTo: Prefix + "tables/fx/delete", Back: Prefix + "tables", Question: "Delete the FX rate " + base + "/" + quote + "?",
			Fields: []keyValue{{"base", base}, {"quote", quote}}})
		return nil
	}
	return c.done(h.eng.DeleteFXRate(c.ctx(), base, quote), Prefix+"tables", "FX rate deleted.")
}

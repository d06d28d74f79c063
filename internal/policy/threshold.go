// Package policy holds the rules that decide what happens to a transfer: the jurisdiction table
// (Travel Rule thresholds and required IVMS101 fields), FX conversion, and the decision
// policies. Everything here is a pure function over data passed in; it performs no I/O.
package policy

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/waybill/waybill/internal/transfer"
)

// Jurisdiction is one row of the jurisdiction table: when the Travel Rule applies and what it
// requires, with the legal source.
type Jurisdiction struct {
	Code      string          `json:"code" doc:"Short code, e.g. EU, US, UK, FATF." example:"EU"`
	Name      string          `json:"name"`
	Threshold decimal.Decimal `json:"threshold" doc:"Transfers valued at or above this amount require the full Travel Rule exchange."`
	Currency  string          `json:"currency" doc:"Currency of the threshold." example:"EUR"`
	// RequiredOriginator and RequiredBeneficiary are ivms field names required at or above the
	// threshold; the Below variants apply under it (when the Travel Rule still asks for less).
	RequiredOriginator       []string `json:"required_originator" doc:"IVMS101 originator fields required at or above the threshold."`
	RequiredBeneficiary      []string `json:"required_beneficiary" doc:"IVMS101 beneficiary fields required at or above the threshold."`
	BelowRequiredOriginator  []string `json:"below_required_originator,omitempty" doc:"Originator fields required below the threshold; when empty nothing is exchanged below it."`
	BelowRequiredBeneficiary []string `json:"below_required_beneficiary,omitempty" doc:"Beneficiary fields required below the threshold."`
	// UnhostedProofThreshold, when set, is the value (in Currency) above which a transfer to or
	// from an unhosted wallet needs an ownership proof (the EU's "exceeding EUR 1 000").
	UnhostedProofThreshold *decimal.Decimal `json:"unhosted_proof_threshold,omitempty" doc:"Value above which a transfer with an unhosted wallet needs an ownership proof."`
	UnhostedRule           string           `json:"unhosted_rule,omitempty" doc:"The unhosted-wallet rule in words."`
	Source                 string           `json:"source" doc:"Legal source of the row."`
	SourceDate             string           `json:"source_date,omitempty" doc:"Date of the source (YYYY-MM-DD)."`
	Notes                  string           `json:"notes,omitempty" doc:"Where published sources disagree, and which reading the row takes."`
	UpdatedAt              time.Time        `json:"updated_at"`
}

// Validate reports the first problem with j, naming the field.
func (j *Jurisdiction) Validate(knownFields func(string) bool) error {
	if j.Code == "" {
		return fmt.Errorf("code is required")
	}
	if j.Threshold.IsNegative() {
		return fmt.Errorf("threshold must not be negative")
	}
	if len(j.Currency) != 3 || strings.ToUpper(j.Currency) != j.Currency {
		return fmt.Errorf("currency must be an ISO 4217 code")
	}
	if j.Source == "" {
		return fmt.Errorf("source is required")
	}
	lists := map[string][]string{
		"required_originator": j.RequiredOriginator, "required_beneficiary": j.RequiredBeneficiary,
		"below_required_originator": j.BelowRequiredOriginator, "below_required_beneficiary": j.BelowRequiredBeneficiary,
	}
	for name, l := range lists {
		for i, f := range l {
			if knownFields != nil && !knownFields(f) {
				return fmt.Errorf("%s[%d]: unknown field %q", name, i, f)
			}
		}
	}
	return nil
}

// FXRate is one row of the FX table: 1 Base = Rate Quote, as of a date.
type FXRate struct {
	Base      string          `json:"base" doc:"Currency or asset symbol converted from." example:"BTC"`
	Quote     string          `json:"quote" doc:"Currency converted to." example:"EUR"`
	Rate      decimal.Decimal `json:"rate"`
	AsOf      time.Time       `json:"as_of"`
	Source    string          `json:"source,omitempty"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// Rates converts between currencies and assets with an FX table.
type Rates struct {
	byPair map[[2]string]FXRate
}

// NewRates indexes an FX table.
func NewRates(rows []FXRate) *Rates {
	r := &Rates{byPair: make(map[[2]string]FXRate, len(rows))}
	for _, row := range rows {
		r.byPair[[2]string{strings.ToUpper(row.Base), strings.ToUpper(row.Quote)}] = row
	}
	return r
}

// Convert converts amount from one currency or asset to another: directly, by the inverse
// rate, or through one intermediate currency. It returns the value, a description of the rates
// used (for the audit trail) and false when no path exists.
func (r *Rates) Convert(amount decimal.Decimal, from, to string) (decimal.Decimal, string, bool) {
	from, to = strings.ToUpper(from), strings.ToUpper(to)
	if from == to {
		return amount, "", true
	}
	if r == nil {
		return decimal.Zero, "", false
	}
	if rate, desc, ok := r.rate(from, to); ok {
		return amount.Mul(rate).Round(8), desc, true
	}
	// One hop through an intermediate: deterministic order for explainability.
	var mids []string
	seen := map[string]bool{}
	for k := range r.byPair {
		for _, c := range k {
			if !seen[c] && c != from && c != to {
				seen[c] = true
				mids = append(mids, c)
			}
		}
	}
	sort.Strings(mids)
	for _, mid := range mids {
		r1, d1, ok1 := r.rate(from, mid)
		if !ok1 {
			continue
		}
		r2, d2, ok2 := r.rate(mid, to)
		if !ok2 {
			continue
		}
		return amount.Mul(r1).Mul(r2).Round(8), d1 + "; " + d2, true
	}
	return decimal.Zero, "", false
}

func (r *Rates) rate(from, to string) (decimal.Decimal, string, bool) {
	if row, ok := r.byPair[[2]string{from, to}]; ok && row.Rate.IsPositive() {
		return row.Rate, fmt.Sprintf("1 %s = %s %s as of %s", from, row.Rate, to, row.AsOf.Format("2006-01-02")), true
	}
	if row, ok := r.byPair[[2]string{to, from}]; ok && row.Rate.IsPositive() {
		inv := decimal.NewFromInt(1).DivRound(row.Rate, 18)
		return inv, fmt.Sprintf("1 %s = %s %s as of %s (inverse)", to, row.Rate, from, row.AsOf.Format("2006-01-02")), true
	}
	return decimal.Zero, "", false
}

// ThresholdInput is what the threshold rule looks at.
type ThresholdInput struct {
	Ours, Theirs *Jurisdiction // Theirs may be nil when the counterparty's jurisdiction is unknown
	Asset        transfer.Asset
	Amount       decimal.Decimal
	FiatValue    *transfer.FiatValue // given by the caller, or nil
}

// EvaluateThreshold decides whether the Travel Rule applies to a transfer and which fields it
// requires. Of the two jurisdictions the stricter applies: the exchange is required when either
// requires it, and the required fields are the union. A value that cannot be converted is
// treated as above the threshold, and the reason says so.
func EvaluateThreshold(in ThresholdInput, rates *Rates) transfer.Threshold {
	js := []*Jurisdiction{in.Ours}
	if in.Theirs != nil && (in.Ours == nil || in.Theirs.Code != in.Ours.Code) {
		js = append(js, in.Theirs)
	}
	var (
		out      transfer.Threshold
		reasons  []string
		decided  *Jurisdiction
		decidedV *transfer.FiatValue
	)
	reqO, reqB := map[string]bool{}, map[string]bool{}
	for _, j := range js {
		if j == nil {
			continue
		}
		value, desc, ok := valueIn(in, j.Currency, rates)
		applies := true
		var fv *transfer.FiatValue
		switch {
		case !ok:
			reasons = append(reasons, fmt.Sprintf("%s: no FX rate to %s, treated as at or above the threshold of %s %s", j.Code, j.Currency, j.Threshold, j.Currency))
		default:
			fv = &transfer.FiatValue{Currency: j.Currency, Amount: value, Source: "converted", Rate: desc}
			if in.FiatValue != nil && strings.EqualFold(in.FiatValue.Currency, j.Currency) {
				fv.Source = "given"
			}
			applies = value.GreaterThanOrEqual(j.Threshold)
			cmp := "below"
			if applies {
				cmp = "at or above"
			}
			reasons = append(reasons, fmt.Sprintf("%s: value %s %s is %s the threshold of %s %s", j.Code, value.StringFixed(2), j.Currency, cmp, j.Threshold, j.Currency))
		}
		fieldsO, fieldsB := j.BelowRequiredOriginator, j.BelowRequiredBeneficiary
		if applies {
			fieldsO, fieldsB = j.RequiredOriginator, j.RequiredBeneficiary
			if decided == nil || !out.Applies {
				decided, decidedV = j, fv
			}
			out.Applies = true
		} else if decided == nil {
			decided, decidedV = j, fv
		}
		for _, f := range fieldsO {
			reqO[f] = true
		}
		for _, f := range fieldsB {
			reqB[f] = true
		}
	}
	if decided != nil {
		out.Jurisdiction = decided.Code
		out.Amount = decided.Threshold
		out.Currency = decided.Currency
		out.Source = decided.Source
		out.Value = decidedV
	}
	out.Reason = strings.Join(reasons, "; ")
	out.RequiredOriginator = sortedKeys(reqO)
	out.RequiredBeneficiary = sortedKeys(reqB)
	return out
}

func valueIn(in ThresholdInput, currency string, rates *Rates) (decimal.Decimal, string, bool) {
	if in.FiatValue != nil {
		if v, d, ok := rates.Convert(in.FiatValue.Amount, in.FiatValue.Currency, currency); ok {
			return v, d, true
		}
	}
	return rates.Convert(in.Amount, in.Asset.Symbol, currency)
}

func sortedKeys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// UnhostedProofRule says whether a transfer to or from an unhosted wallet needs an ownership
// proof: when either jurisdiction has an unhosted-wallet rule and the transfer's value reaches
// its proof threshold. A value that cannot be converted counts as reaching it. It returns the
// rule that applied, in words, for the record.
func UnhostedProofRule(in ThresholdInput, rates *Rates) (bool, string) {
	for _, j := range []*Jurisdiction{in.Ours, in.Theirs} {
		if j == nil || j.UnhostedProofThreshold == nil {
			continue
		}
		limit := *j.UnhostedProofThreshold
		value, _, ok := valueIn(in, j.Currency, rates)
		switch {
		case !ok:
			return true, fmt.Sprintf("%s: ownership proof above %s %s (no FX rate to %s, treated as above)", j.Code, limit, j.Currency, j.Currency)
		case value.GreaterThan(limit):
			return true, fmt.Sprintf("%s: ownership proof above %s %s (value %s %s)", j.Code, limit, j.Currency, value.StringFixed(2), j.Currency)
		}
	}
	return false, ""
}

package email

import (
	"strings"

	"github.com/trisacrypto/trisa/pkg/ivms101"

	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/transfer"
)

// The identity data as the pages lay it out: one section per party, one block per person,
// labelled rows and formatted addresses. Nothing here is shown before the address step.

// row is one labelled value.
type row struct {
	Label string
	Value string
}

// personView is one person of a party.
type personView struct {
	Kind      string
	Rows      []row
	Addresses []addressView
}

// addressView is one formatted postal address.
type addressView struct {
	Type  string
	Lines []string
}

// partyView is the originator or the beneficiary.
type partyView struct {
	Title    string
	Persons  []personView
	Accounts []string
}

// partiesOf lays out a transfer's originator and beneficiary (those present).
func partiesOf(t *transfer.Transfer) []partyView {
	var out []partyView
	if t.Originator != nil {
		out = append(out, partyView{Title: "Originator (sender)", Persons: personsOf(t.Originator.Persons),
			Accounts: nonEmpty(t.Originator.AccountNumbers)})
	}
	if t.Beneficiary != nil {
		out = append(out, partyView{Title: "Beneficiary (recipient)", Persons: personsOf(t.Beneficiary.Persons),
			Accounts: nonEmpty(t.Beneficiary.AccountNumbers)})
	}
	return out
}

func personsOf(ps []*ivms101.Person) []personView {
	var out []personView
	for _, p := range ps {
		if p == nil {
			continue
		}
		if v, ok := personOf(p); ok {
			out = append(out, v)
		}
	}
	return out
}

func personOf(p *ivms101.Person) (personView, bool) {
	var v personView
	for _, n := range ivms.Names(p) {
		v.Rows = append(v.Rows, row{Label: nameLabel(n), Value: n.Full()})
	}
	if np := p.GetNaturalPerson(); np != nil {
		v.Kind = "Natural person"
		if dob := np.GetDateAndPlaceOfBirth(); dob != nil {
			v.Rows = appendRow(v.Rows, "Date of birth", dob.GetDateOfBirth())
			v.Rows = appendRow(v.Rows, "Place of birth", dob.GetPlaceOfBirth())
		}
		v.Rows = appendRow(v.Rows, "Country of residence", np.GetCountryOfResidence())
		v.Rows = appendRow(v.Rows, "National identification", nationalID(np.GetNationalIdentification()))
		v.Rows = appendRow(v.Rows, "Customer identification", np.GetCustomerIdentification())
		v.Addresses = addressesOf(np.GetGeographicAddresses())
		return v, true
	}
	if lp := p.GetLegalPerson(); lp != nil {
		v.Kind = "Legal person"
		v.Rows = appendRow(v.Rows, "Country of registration", lp.GetCountryOfRegistration())
		v.Rows = appendRow(v.Rows, "National identification", nationalID(lp.GetNationalIdentification()))
		v.Rows = appendRow(v.Rows, "Customer number", lp.GetCustomerNumber())
		v.Addresses = addressesOf(lp.GetGeographicAddresses())
		return v, true
	}
	return v, false
}

var naturalNameTypes = map[string]string{"LEGL": "Legal name", "ALIA": "Alias", "BIRT": "Name at birth", "MAID": "Maiden name", "MISC": "Name"}

var legalNameTypes = map[string]string{"LEGL": "Legal name", "SHRT": "Short name", "TRAD": "Trading name", "MISC": "Name"}

func nameLabel(n ivms.Name) string {
	label := naturalNameTypes[n.Type]
	if n.Legal {
		label = legalNameTypes[n.Type]
	}
	if label == "" {
		label = "Name"
	}
	switch n.Form {
	case ivms.FormLocal:
		label += " (local script)"
	case ivms.FormPhonetic:
		label += " (phonetic)"
	}
	return label
}

var nationalIDTypes = map[string]string{
	"ARNU": "alien registration number", "CCPT": "passport", "RAID": "registration authority identifier",
	"DRLC": "driving licence", "FIIN": "foreign investment identity number", "TXID": "tax identification number",
	"SOCS": "social security number", "IDCD": "identity card", "LEIX": "LEI", "MISC": "other",
}

// code returns the IVMS101 short code of a protobuf enum name ("…_CODE_CCPT" -> "CCPT").
func code(s string) string {
	if i := strings.LastIndexByte(s, '_'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func nationalID(n *ivms101.NationalIdentification) string {
	if n == nil || n.GetNationalIdentifier() == "" {
		return ""
	}
	var details []string
	if t := nationalIDTypes[code(n.GetNationalIdentifierType().String())]; t != "" {
		details = append(details, t)
	}
	if c := n.GetCountryOfIssue(); c != "" {
		details = append(details, "issued in "+c)
	}
	if ra := n.GetRegistrationAuthority(); ra != "" {
		details = append(details, "authority "+ra)
	}
	if len(details) == 0 {
		return n.GetNationalIdentifier()
	}
	return n.GetNationalIdentifier() + " (" + strings.Join(details, ", ") + ")"
}

var addressTypes = map[string]string{"HOME": "Residential address", "BIZZ": "Business address", "GEOG": "Address", "MISC": "Address"}

func addressesOf(as []*ivms101.Address) []addressView {
	var out []addressView
	for _, a := range as {
		if a == nil {
			continue
		}
		typ := addressTypes[code(a.GetAddressType().String())]
		if typ == "" {
			typ = "Address"
		}
		var lines []string
		add := func(parts ...string) {
			if l := strings.TrimSpace(strings.Join(nonEmpty(parts), " ")); l != "" {
				lines = append(lines, l)
			}
		}
		add(a.GetDepartment())
		add(a.GetSubDepartment())
		add(a.GetBuildingName())
		add(a.GetStreetName(), a.GetBuildingNumber())
		if f, r := a.GetFloor(), a.GetRoom(); f != "" || r != "" {
			var fr []string
			if f != "" {
				fr = append(fr, "floor "+f)
			}
			if r != "" {
				fr = append(fr, "room "+r)
			}
			add(strings.Join(fr, ", "))
		}
		if pb := a.GetPostBox(); pb != "" {
			add("PO Box " + pb)
		}
		for _, l := range a.GetAddressLine() {
			add(l)
		}
		add(a.GetPostCode(), a.GetTownName())
		add(a.GetTownLocationName())
		add(a.GetDistrictName())
		add(a.GetCountrySubDivision())
		add(a.GetCountry())
		if len(lines) > 0 {
			out = append(out, addressView{Type: typ, Lines: lines})
		}
	}
	return out
}

func appendRow(rows []row, label, value string) []row {
	if strings.TrimSpace(value) == "" {
		return rows
	}
	return append(rows, row{Label: label, Value: value})
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

// txView is the transaction as the pages show it (no identity data).
type txView struct {
	Asset       string
	Amount      string
	FiatValue   string
	Origin      string
	Destination string
	Memo        string
	TxHash      string
	Reference   string
}

func txOf(t *transfer.Transfer) txView {
	v := txView{Asset: t.Asset.Symbol + " on " + t.Asset.Network, Amount: t.Amount.String() + " " + t.Asset.Symbol,
		Origin: t.OriginAddress, Destination: t.DestinationAddress, Memo: t.Memo, TxHash: t.TxHash, Reference: t.MessageID}
	if t.FiatValue != nil {
		v.FiatValue = t.FiatValue.Amount.StringFixed(2) + " " + t.FiatValue.Currency
	}
	return v
}

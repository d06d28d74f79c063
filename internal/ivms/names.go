package ivms

import (
	"strings"

	"github.com/trisacrypto/trisa/pkg/ivms101"
)

// NameForm says which IVMS101 name list a name comes from.
type NameForm string

const (
	// FormStandard names come from nameIdentifier (Latin script in the 2020 character set).
	FormStandard NameForm = "standard"
	// FormLocal names come from localNameIdentifier (the person's own script).
	FormLocal NameForm = "local"
	// FormPhonetic names come from phoneticNameIdentifier.
	FormPhonetic NameForm = "phonetic"
)

// Name is one name of a person, flattened for display and matching.
type Name struct {
	// Form is the list the name comes from.
	Form NameForm
	// Type is the IVMS101 name type code: LEGL, ALIA, BIRT, MAID or MISC for natural persons;
	// LEGL, SHRT, TRAD or MISC for legal persons.
	Type string
	// Legal is true for a legal person's name.
	Legal bool
	// Primary is the surname (primaryIdentifier) of a natural person, or a legal person's name.
	Primary string
	// Secondary is the given names (secondaryIdentifier) of a natural person; empty for legal
	// persons.
	Secondary string
}

// Full returns the name as people write it: given names then surname for natural persons.
func (n Name) Full() string {
	switch {
	case n.Secondary == "":
		return strings.TrimSpace(n.Primary)
	case n.Primary == "":
		return strings.TrimSpace(n.Secondary)
	}
	return strings.TrimSpace(n.Secondary) + " " + strings.TrimSpace(n.Primary)
}

// Names returns every name of p: standard names first, then local, then phonetic, each in the
// order given. Empty name identifiers are skipped.
func Names(p *ivms101.Person) []Name {
	var out []Name
	if np := p.GetNaturalPerson(); np != nil {
		n := np.GetName()
		for _, id := range n.GetNameIdentifiers() {
			out = appendName(out, Name{Form: FormStandard, Type: naturalNameTypeCode(id.GetNameIdentifierType()),
				Primary: id.GetPrimaryIdentifier(), Secondary: id.GetSecondaryIdentifier()})
		}
		for _, id := range n.GetLocalNameIdentifiers() {
			out = appendName(out, Name{Form: FormLocal, Type: naturalNameTypeCode(id.GetNameIdentifierType()),
				Primary: id.GetPrimaryIdentifier(), Secondary: id.GetSecondaryIdentifier()})
		}
		for _, id := range n.GetPhoneticNameIdentifiers() {
			out = appendName(out, Name{Form: FormPhonetic, Type: naturalNameTypeCode(id.GetNameIdentifierType()),
				Primary: id.GetPrimaryIdentifier(), Secondary: id.GetSecondaryIdentifier()})
		}
		return out
	}
	n := p.GetLegalPerson().GetName()
	for _, id := range n.GetNameIdentifiers() {
		out = appendName(out, Name{Form: FormStandard, Type: legalNameTypeCode(id.GetLegalPersonNameIdentifierType()),
			Legal: true, Primary: id.GetLegalPersonName()})
	}
	for _, id := range n.GetLocalNameIdentifiers() {
		out = appendName(out, Name{Form: FormLocal, Type: legalNameTypeCode(id.GetLegalPersonNameIdentifierType()),
			Legal: true, Primary: id.GetLegalPersonName()})
	}
	for _, id := range n.GetPhoneticNameIdentifiers() {
		out = appendName(out, Name{Form: FormPhonetic, Type: legalNameTypeCode(id.GetLegalPersonNameIdentifierType()),
			Legal: true, Primary: id.GetLegalPersonName()})
	}
	return out
}

func appendName(out []Name, n Name) []Name {
	if strings.TrimSpace(n.Primary) == "" && strings.TrimSpace(n.Secondary) == "" {
		return out
	}
	return append(out, n)
}

// NamesOf returns the names of p with the given form and type code ("" matches any type).
func NamesOf(p *ivms101.Person, form NameForm, typ string) []Name {
	var out []Name
	for _, n := range Names(p) {
		if n.Form == form && (typ == "" || n.Type == typ) {
			out = append(out, n)
		}
	}
	return out
}

// DisplayName returns the name to show for p: its first standard legal name (LEGL), else its
// first standard name, else its first local name, else its first phonetic name, written as
// Name.Full does; "" when p has no name.
func DisplayName(p *ivms101.Person) string {
	names := Names(p)
	for _, n := range names {
		if n.Form == FormStandard && n.Type == "LEGL" {
			return n.Full()
		}
	}
	for _, form := range []NameForm{FormStandard, FormLocal, FormPhonetic} {
		for _, n := range names {
			if n.Form == form {
				return n.Full()
			}
		}
	}
	return ""
}

// DisplayNames returns the display names of several persons (an originator's or beneficiary's
// joint holders), joined with ", ", skipping persons without a name.
func DisplayNames(persons []*ivms101.Person) string {
	var parts []string
	for _, p := range persons {
		if n := DisplayName(p); n != "" {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, ", ")
}

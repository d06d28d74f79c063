package screening

import (
	"bufio"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strings"
	"time"
)

// The parts of sdn_advanced.xml that ReadSDNAdvanced decodes, element by element.
type (
	advIDText struct {
		ID   string `xml:"ID,attr"`
		Text string `xml:",chardata"`
	}
	advReferenceValues struct {
		FeatureTypes   []advIDText `xml:"FeatureTypeValues>FeatureType"`
		NamePartTypes  []advIDText `xml:"NamePartTypeValues>NamePartType"`
		SanctionsTypes []advIDText `xml:"SanctionsTypeValues>SanctionsType"`
	}
	advFeature struct {
		TypeID   string `xml:"FeatureTypeID,attr"`
		Versions []struct {
			Details []string `xml:"VersionDetail"`
		} `xml:"FeatureVersion"`
	}
	advIdentity struct {
		Primary string `xml:"Primary,attr"`
		Aliases []struct {
			Primary string `xml:"Primary,attr"`
			Names   []struct {
				Parts []advNamePart `xml:"DocumentedNamePart>NamePartValue"`
			} `xml:"DocumentedName"`
		} `xml:"Alias"`
		Groups []struct {
			ID     string `xml:"ID,attr"`
			TypeID string `xml:"NamePartTypeID,attr"`
		} `xml:"NamePartGroups>MasterNamePartGroup>NamePartGroup"`
	}
	advNamePart struct {
		Group string `xml:"NamePartGroupID,attr"`
		Value string `xml:",chardata"`
	}
	advProfile struct {
		ID         string        `xml:"ID,attr"`
		Identities []advIdentity `xml:"Identity"`
		Features   []advFeature  `xml:"Feature"`
	}
	advParty struct {
		FixedRef string       `xml:"FixedRef,attr"`
		Profiles []advProfile `xml:"Profile"`
		Features []advFeature `xml:"Feature"` // some exports put them beside the profile
	}
	advSanctionsEntry struct {
		ProfileID string `xml:"ProfileID,attr"`
		Measures  []struct {
			TypeID  string `xml:"SanctionsTypeID,attr"`
			Comment string `xml:"Comment"`
		} `xml:"SanctionsMeasure"`
	}
	advDate struct {
		Year  int `xml:"Year"`
		Month int `xml:"Month"`
		Day   int `xml:"Day"`
	}
)

// advAddress is a digital currency address found in a distinct party, waiting for the
// party's programmes, which the file lists after all parties.
type advAddress struct {
	profile string
	code    string
	address string
	name    string
}

// ReadSDNAdvanced reads OFAC's SDN list in the advanced XML layout (sdn_advanced.xml) from r,
// streaming element by element, and passes each digital currency address to add: the detail
// of every Feature whose FeatureType is "Digital Currency Address - <code>", the network
// OFACNetwork gives, the primary name of the profile (first, middle and last name parts in
// that order) as the entity, the programmes of its SanctionsEntry (SanctionsMeasure comments
// of type "Program") as tags, the profile id (the SDN uid) as id and DefaultRiskScore. The
// publication date comes from DateOfIssue. ReferenceValueSets must come before the parties,
// as it does in OFAC's files. Only address-bearing parties are held until the end of the
// file, where the programmes are known; then the entries are passed to add.
func ReadSDNAdvanced(ctx context.Context, r io.Reader, progress ProgressFunc, add func(Entry) error) (Source, error) {
	f := newFeed(ctx, r, progress)
	d := xml.NewDecoder(bufio.NewReaderSize(f, 1<<16))
	var (
		refs         *advReferenceValues
		addressTypes = map[string]string{} // feature type id -> currency code
		nameRanks    = map[string]int{}    // name part type id -> order in a name
		programType  = "1"
		pending      []advAddress
		programs     = map[string][]string{} // profile id -> programmes
	)
	err := walkElements(d, "sdn_advanced.xml", []string{"Sanctions", "SanctionsData"}, func(se xml.StartElement) error {
		switch se.Name.Local {
		case "DateOfIssue":
			var dt advDate
			if err := d.DecodeElement(&dt, &se); err != nil {
				return err
			}
			if dt.Year > 0 && dt.Month >= 1 && dt.Month <= 12 && dt.Day >= 1 && dt.Day <= 31 {
				f.src.Published = time.Date(dt.Year, time.Month(dt.Month), dt.Day, 0, 0, 0, 0, time.UTC)
			}
		case "ReferenceValueSets":
			refs = &advReferenceValues{}
			if err := d.DecodeElement(refs, &se); err != nil {
				return err
			}
			for _, ft := range refs.FeatureTypes {
				if code, ok := strings.CutPrefix(strings.TrimSpace(ft.Text), ofacAddressType); ok {
					addressTypes[ft.ID] = code
				}
			}
			for _, nt := range refs.NamePartTypes {
				nameRanks[nt.ID] = namePartRank(strings.TrimSpace(nt.Text))
			}
			for _, st := range refs.SanctionsTypes {
				if strings.EqualFold(strings.TrimSpace(st.Text), "Program") {
					programType = st.ID
				}
			}
		case "DistinctParty":
			if refs == nil {
				return errors.New("DistinctParty before ReferenceValueSets")
			}
			var p advParty
			if err := d.DecodeElement(&p, &se); err != nil {
				return err
			}
			pending = appendPartyAddresses(pending, &p, addressTypes, nameRanks)
			return f.row()
		case "SanctionsEntry":
			var e advSanctionsEntry
			if err := d.DecodeElement(&e, &se); err != nil {
				return err
			}
			for _, m := range e.Measures {
				if m.TypeID == programType {
					programs[e.ProfileID] = append(programs[e.ProfileID], m.Comment)
				}
			}
		case "Locations", "IDRegDocuments", "ProfileRelationships":
			return d.Skip()
		}
		return nil
	})
	if err != nil {
		return Source{}, err
	}
	for _, a := range pending {
		e := Entry{
			Address: a.address, Network: OFACNetwork(a.code, a.address), Entity: a.name,
			Tags: cleanTags(programs[a.profile]), ID: a.profile,
		}
		if err := f.add(add, e, true); err != nil {
			return Source{}, err
		}
	}
	return f.done()
}

// appendPartyAddresses appends the digital currency addresses of party p.
func appendPartyAddresses(dst []advAddress, p *advParty, addressTypes map[string]string, nameRanks map[string]int) []advAddress {
	for i := range p.Profiles {
		prof := &p.Profiles[i]
		id := strings.TrimSpace(prof.ID)
		if id == "" {
			id = strings.TrimSpace(p.FixedRef)
		}
		name := primaryName(prof.Identities, nameRanks)
		features := prof.Features
		if i == 0 {
			features = append(slices.Clip(features), p.Features...)
		}
		for _, ft := range features {
			code, ok := addressTypes[ft.TypeID]
			if !ok {
				continue
			}
			for _, v := range ft.Versions {
				for _, addr := range v.Details {
					dst = append(dst, advAddress{profile: id, code: code, address: strings.TrimSpace(addr), name: name})
				}
			}
		}
	}
	return dst
}

// namePartRank orders the parts of a person's name as it is written: first, middle,
// patronymic, matronymic, then last name; entity, vessel and other names keep file order
// after them.
func namePartRank(partType string) int {
	switch partType {
	case "First Name":
		return 0
	case "Middle Name":
		return 1
	case "Patronymic":
		return 2
	case "Matronymic":
		return 3
	case "Last Name":
		return 4
	}
	return 5
}

// primaryName returns the name of the primary alias of the primary identity (the first one
// when none is marked), its parts ordered by namePartRank.
func primaryName(identities []advIdentity, nameRanks map[string]int) string {
	if len(identities) == 0 {
		return ""
	}
	idn := &identities[0]
	for i := range identities {
		if identities[i].Primary == "true" {
			idn = &identities[i]
			break
		}
	}
	if len(idn.Aliases) == 0 {
		return ""
	}
	alias := &idn.Aliases[0]
	for i := range idn.Aliases {
		if idn.Aliases[i].Primary == "true" {
			alias = &idn.Aliases[i]
			break
		}
	}
	if len(alias.Names) == 0 {
		return ""
	}
	groupRank := map[string]int{}
	for _, g := range idn.Groups {
		if r, ok := nameRanks[g.TypeID]; ok {
			groupRank[g.ID] = r
		}
	}
	parts := slices.Clone(alias.Names[0].Parts)
	rank := func(group string) int {
		if r, ok := groupRank[group]; ok {
			return r
		}
		return 5
	}
	slices.SortStableFunc(parts, func(a, b advNamePart) int { return rank(a.Group) - rank(b.Group) })
	values := make([]string, len(parts))
	for i, p := range parts {
		values[i] = p.Value
	}
	return joinName(values...)
}

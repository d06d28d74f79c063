package ivms

import "github.com/trisacrypto/trisa/pkg/ivms101"

// Code lists. Values are read case-insensitively as the IVMS101 short code ("LEGL") or TRISA's
// long protobuf name ("NATURAL_PERSON_NAME_TYPE_CODE_LEGL"), and written as the short code.
// MISC (and OTHR for transliteration) is the protobuf zero value, so an absent or empty code reads
// as MISC; the encoder always writes it out.

// upperCode upper-cases an ASCII code into buf and strips a long-name prefix. It returns nil for
// values that cannot be codes.
func upperCode(s, prefix string, buf *[48]byte) []byte {
	if len(s) > len(buf) {
		return nil
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	b := buf[:n]
	if len(b) > len(prefix) && string(b[:len(prefix)]) == prefix {
		b = b[len(prefix):]
	}
	return b
}

func parseNaturalNameType(s string) (ivms101.NaturalPersonNameTypeCode, bool) {
	var buf [48]byte
	switch string(upperCode(s, "NATURAL_PERSON_NAME_TYPE_CODE_", &buf)) {
	case "", "MISC":
		return ivms101.NaturalPersonMisc, true
	case "ALIA":
		return ivms101.NaturalPersonAlias, true
	case "BIRT":
		return ivms101.NaturalPersonBirth, true
	case "MAID":
		return ivms101.NaturalPersonMaiden, true
	case "LEGL":
		return ivms101.NaturalPersonLegal, true
	}
	return 0, false
}

func naturalNameTypeCode(c ivms101.NaturalPersonNameTypeCode) string {
	switch c {
	case ivms101.NaturalPersonMisc:
		return "MISC"
	case ivms101.NaturalPersonAlias:
		return "ALIA"
	case ivms101.NaturalPersonBirth:
		return "BIRT"
	case ivms101.NaturalPersonMaiden:
		return "MAID"
	case ivms101.NaturalPersonLegal:
		return "LEGL"
	}
	return ""
}

func parseLegalNameType(s string) (ivms101.LegalPersonNameTypeCode, bool) {
	var buf [48]byte
	switch string(upperCode(s, "LEGAL_PERSON_NAME_TYPE_CODE_", &buf)) {
	case "", "MISC":
		return ivms101.LegalPersonMisc, true
	case "LEGL":
		return ivms101.LegalPersonLegal, true
	case "SHRT":
		return ivms101.LegalPersonShort, true
	case "TRAD":
		return ivms101.LegalPersonTrading, true
	}
	return 0, false
}

func legalNameTypeCode(c ivms101.LegalPersonNameTypeCode) string {
	switch c {
	case ivms101.LegalPersonMisc:
		return "MISC"
	case ivms101.LegalPersonLegal:
		return "LEGL"
	case ivms101.LegalPersonShort:
		return "SHRT"
	case ivms101.LegalPersonTrading:
		return "TRAD"
	}
	return ""
}

func parseAddressType(s string) (ivms101.AddressTypeCode, bool) {
	var buf [48]byte
	switch string(upperCode(s, "ADDRESS_TYPE_CODE_", &buf)) {
	case "", "MISC":
		return ivms101.AddressTypeMisc, true
	case "HOME":
		return ivms101.AddressTypeHome, true
	case "BIZZ":
		return ivms101.AddressTypeBusiness, true
	case "GEOG":
		return ivms101.AddressTypeGeographic, true
	}
	return 0, false
}

func addressTypeCode(c ivms101.AddressTypeCode) string {
	switch c {
	case ivms101.AddressTypeMisc:
		return "MISC"
	case ivms101.AddressTypeHome:
		return "HOME"
	case ivms101.AddressTypeBusiness:
		return "BIZZ"
	case ivms101.AddressTypeGeographic:
		return "GEOG"
	}
	return ""
}

func parseNationalIDType(s string) (ivms101.NationalIdentifierTypeCode, bool) {
	var buf [48]byte
	switch string(upperCode(s, "NATIONAL_IDENTIFIER_TYPE_CODE_", &buf)) {
	case "", "MISC":
		return ivms101.NationalIdentifierMISC, true
	case "ARNU":
		return ivms101.NationalIdentifierARNU, true
	case "CCPT":
		return ivms101.NationalIdentifierCCPT, true
	case "RAID":
		return ivms101.NationalIdentifierRAID, true
	case "DRLC":
		return ivms101.NationalIdentifierDRLC, true
	case "FIIN":
		return ivms101.NationalIdentifierFIIN, true
	case "TXID":
		return ivms101.NationalIdentifierTXID, true
	case "SOCS":
		return ivms101.NationalIdentifierSOCS, true
	case "IDCD":
		return ivms101.NationalIdentifierIDCD, true
	case "LEIX":
		return ivms101.NationalIdentifierLEIX, true
	}
	return 0, false
}

func nationalIDTypeCode(c ivms101.NationalIdentifierTypeCode) string {
	switch c {
	case ivms101.NationalIdentifierMISC:
		return "MISC"
	case ivms101.NationalIdentifierARNU:
		return "ARNU"
	case ivms101.NationalIdentifierCCPT:
		return "CCPT"
	case ivms101.NationalIdentifierRAID:
		return "RAID"
	case ivms101.NationalIdentifierDRLC:
		return "DRLC"
	case ivms101.NationalIdentifierFIIN:
		return "FIIN"
	case ivms101.NationalIdentifierTXID:
		return "TXID"
	case ivms101.NationalIdentifierSOCS:
		return "SOCS"
	case ivms101.NationalIdentifierIDCD:
		return "IDCD"
	case ivms101.NationalIdentifierLEIX:
		return "LEIX"
	}
	return ""
}

func parseTransliteration(s string) (ivms101.TransliterationMethodCode, bool) {
	var buf [48]byte
	switch string(upperCode(s, "TRANSLITERATION_METHOD_CODE_", &buf)) {
	case "", "OTHR":
		return ivms101.TransliterationMethodOTHR, true
	case "ARAB":
		return ivms101.TransliterationMethodARAB, true
	case "ARAN":
		return ivms101.TransliterationMethodARAN, true
	case "ARMN":
		return ivms101.TransliterationMethodARMN, true
	case "CYRL":
		return ivms101.TransliterationMethodCYRL, true
	case "DEVA":
		return ivms101.TransliterationMethodDEVA, true
	case "GEOR":
		return ivms101.TransliterationMethodGEOR, true
	case "GREK":
		return ivms101.TransliterationMethodGREK, true
	case "HANI":
		return ivms101.TransliterationMethodHANI, true
	case "HEBR":
		return ivms101.TransliterationMethodHEBR, true
	case "KANA":
		return ivms101.TransliterationMethodKANA, true
	case "KORE":
		return ivms101.TransliterationMethodKORE, true
	case "THAI":
		return ivms101.TransliterationMethodTHAI, true
	}
	return 0, false
}

// transliterationCode returns the ISO 15924 code in the lower case the IVMS101 spec prints.
func transliterationCode(c ivms101.TransliterationMethodCode) string {
	switch c {
	case ivms101.TransliterationMethodOTHR:
		return "othr"
	case ivms101.TransliterationMethodARAB:
		return "arab"
	case ivms101.TransliterationMethodARAN:
		return "aran"
	case ivms101.TransliterationMethodARMN:
		return "armn"
	case ivms101.TransliterationMethodCYRL:
		return "cyrl"
	case ivms101.TransliterationMethodDEVA:
		return "deva"
	case ivms101.TransliterationMethodGEOR:
		return "geor"
	case ivms101.TransliterationMethodGREK:
		return "grek"
	case ivms101.TransliterationMethodHANI:
		return "hani"
	case ivms101.TransliterationMethodHEBR:
		return "hebr"
	case ivms101.TransliterationMethodKANA:
		return "kana"
	case ivms101.TransliterationMethodKORE:
		return "kore"
	case ivms101.TransliterationMethodTHAI:
		return "thai"
	}
	return ""
}

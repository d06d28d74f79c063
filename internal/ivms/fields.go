package ivms

// Key matching. A key is folded to lower case with '_' and '-' removed before lookup, so the
// IVMS101 camelCase key, its PascalCase form (GTR, CODE), and the snake_case of TRISA's protojson
// all match. The synonyms beyond that are the IVMS101.2023 names, the plural proto field names,
// and the aliases TRISA's rekeying accepts (pkg/ivms101, v1.7.0).

// field identifies a member of an IVMS101 object after key folding.
type field uint8

const (
	fUnknown field = iota

	// IdentityPayload
	fOriginator
	fBeneficiary
	fOriginatingVASP
	fBeneficiaryVASP
	fTransferPath
	fPayloadMetadata

	// Originator, Beneficiary
	fPersons
	fAccountNumber

	// Person (and the VASP wrappers, which also accept the person inline)
	fNaturalPerson
	fLegalPerson
	fWrappedPerson

	// NaturalPerson, LegalPerson
	fName
	fAddress
	fNationalID
	fCustomerID
	fBirth
	fCountry // countryOfResidence, countryOfRegistration

	// NaturalPersonName, LegalPersonName
	fNameID
	fLocalNameID
	fPhoneticNameID

	// name identifiers
	fPrimary
	fSecondary
	fNameType
	fLegalName

	// Address
	fAddressType
	fDepartment
	fSubDepartment
	fStreetName
	fBuildingNumber
	fBuildingName
	fFloor
	fPostBox
	fRoom
	fPostCode
	fTownName
	fTownLocationName
	fDistrictName
	fCountrySubDivision
	fAddressLine
	fAddressCountry

	// DateAndPlaceOfBirth
	fDateOfBirth
	fPlaceOfBirth

	// NationalIdentification
	fNationalIdentifier
	fNationalIDType
	fCountryOfIssue
	fRegistrationAuthority

	// IntermediaryVASP
	fSequence

	// PayloadMetadata
	fTransliteration
	fPayloadVersion
)

// fold lower-cases an ASCII key and drops '_' and '-'. It returns nil for keys that cannot be
// IVMS101 keys (too long, or not ASCII), which then match nothing.
func fold(k string, buf *[48]byte) []byte {
	n := 0
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c == '_' || c == '-':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c >= 0x80:
			return nil
		}
		if n == len(buf) {
			return nil
		}
		buf[n] = c
		n++
	}
	return buf[:n]
}

func identityField(k string) field {
	var buf [48]byte
	switch string(fold(k, &buf)) {
	case "originator", "originators":
		return fOriginator
	case "beneficiary", "beneficiaries":
		return fBeneficiary
	case "originatingvasp":
		return fOriginatingVASP
	case "beneficiaryvasp":
		return fBeneficiaryVASP
	case "transferpath":
		return fTransferPath
	case "payloadmetadata":
		return fPayloadMetadata
	}
	return fUnknown
}

func originatorField(k string) field {
	var buf [48]byte
	switch string(fold(k, &buf)) {
	case "originatorpersons", "originatorperson", "originator", "originators", "persons", "person":
		return fPersons
	case "accountnumber", "accountnumbers":
		return fAccountNumber
	}
	return fUnknown
}

func beneficiaryField(k string) field {
	var buf [48]byte
	switch string(fold(k, &buf)) {
	case "beneficiarypersons", "beneficiaryperson", "beneficiary", "beneficiaries", "persons", "person":
		return fPersons
	case "accountnumber", "accountnumbers":
		return fAccountNumber
	}
	return fUnknown
}

// personField matches Person members; wrapper is the folded key of the enclosing VASP wrapper
// ("originatingvasp", "beneficiaryvasp", "intermediaryvasp"), or "" for a plain person.
func personField(k, wrapper string) field {
	var buf [48]byte
	switch f := string(fold(k, &buf)); f {
	case "naturalperson":
		return fNaturalPerson
	case "legalperson":
		return fLegalPerson
	case "accountnumber", "accountnumbers":
		return fAccountNumber
	default:
		if wrapper != "" && (f == wrapper || f == "vasp" || f == "person") {
			return fWrappedPerson
		}
	}
	return fUnknown
}

func naturalPersonField(k string) field {
	var buf [48]byte
	switch string(fold(k, &buf)) {
	case "name", "names":
		return fName
	case "geographicaddress", "geographicaddresses", "address", "addresses":
		return fAddress
	case "nationalidentification":
		return fNationalID
	case "customeridentification", "customernumber":
		return fCustomerID
	case "dateandplaceofbirth":
		return fBirth
	case "countryofresidence", "country":
		return fCountry
	}
	return fUnknown
}

func legalPersonField(k string) field {
	var buf [48]byte
	switch string(fold(k, &buf)) {
	case "name", "names":
		return fName
	case "geographicaddress", "geographicaddresses", "address", "addresses":
		return fAddress
	case "nationalidentification":
		return fNationalID
	case "customernumber", "customeridentification":
		return fCustomerID
	case "countryofregistration", "country":
		return fCountry
	}
	return fUnknown
}

func nameField(k string) field {
	var buf [48]byte
	switch string(fold(k, &buf)) {
	case "nameidentifier", "nameidentifiers":
		return fNameID
	case "localnameidentifier", "localnameidentifiers":
		return fLocalNameID
	case "phoneticnameidentifier", "phoneticnameidentifiers":
		return fPhoneticNameID
	}
	return fUnknown
}

func naturalNameIDField(k string) field {
	var buf [48]byte
	switch string(fold(k, &buf)) {
	case "primaryidentifier", "lastname", "surname", "familyname":
		return fPrimary
	case "secondaryidentifier", "firstname", "givenname", "givennames":
		return fSecondary
	case "nameidentifiertype", "naturalpersonnameidentifiertype":
		return fNameType
	}
	return fUnknown
}

func legalNameIDField(k string) field {
	var buf [48]byte
	switch string(fold(k, &buf)) {
	case "legalpersonname", "name":
		return fLegalName
	case "legalpersonnameidentifiertype", "nameidentifiertype":
		return fNameType
	}
	return fUnknown
}

func addressField(k string) field {
	var buf [48]byte
	switch string(fold(k, &buf)) {
	case "addresstype":
		return fAddressType
	case "department":
		return fDepartment
	case "subdepartment":
		return fSubDepartment
	case "streetname", "street":
		return fStreetName
	case "buildingnumber", "number":
		return fBuildingNumber
	case "buildingname", "building":
		return fBuildingName
	case "floor":
		return fFloor
	case "postbox":
		return fPostBox
	case "room":
		return fRoom
	case "postcode", "postalcode", "zipcode":
		return fPostCode
	case "townname", "town", "city":
		return fTownName
	case "townlocationname", "locationname":
		return fTownLocationName
	case "districtname", "district":
		return fDistrictName
	case "countrysubdivision", "state", "province":
		return fCountrySubDivision
	case "addressline", "addresslines":
		return fAddressLine
	case "country":
		return fAddressCountry
	}
	return fUnknown
}

func birthField(k string) field {
	var buf [48]byte
	switch string(fold(k, &buf)) {
	case "dateofbirth", "dob", "birthdate":
		return fDateOfBirth
	case "placeofbirth", "pob", "birthplace":
		return fPlaceOfBirth
	}
	return fUnknown
}

func nationalIDField(k string) field {
	var buf [48]byte
	switch string(fold(k, &buf)) {
	case "nationalidentifier", "identifiernumber", "number":
		return fNationalIdentifier
	case "nationalidentifiertype":
		return fNationalIDType
	case "countryofissue", "country":
		return fCountryOfIssue
	case "registrationauthority", "ra":
		return fRegistrationAuthority
	}
	return fUnknown
}

func transferPathField(k string) field {
	var buf [48]byte
	if string(fold(k, &buf)) == "transferpath" {
		return fTransferPath
	}
	return fUnknown
}

func intermediaryField(k string) field {
	var buf [48]byte
	switch string(fold(k, &buf)) {
	case "intermediaryvasp":
		return fWrappedPerson
	case "sequence":
		return fSequence
	}
	return fUnknown
}

func metadataField(k string) field {
	var buf [48]byte
	switch string(fold(k, &buf)) {
	case "transliterationmethod", "transliterationmethods":
		return fTransliteration
	case "payloadversion":
		return fPayloadVersion
	}
	return fUnknown
}

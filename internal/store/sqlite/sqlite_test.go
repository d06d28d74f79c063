package sqlite_test

import (
	"testing"

	"github.com/waybill/waybill/internal/store/storetest"
)

func TestConformance(t *testing.T) { storetest.Run(t, storetest.OpenSQLite) }

func TestWebConformance(t *testing.T) { storetest.RunWeb(t, storetest.OpenSQLite) }

func TestDecisionsConformance(t *testing.T) { storetest.RunDecisions(t, storetest.OpenSQLite) }

func TestTRISAConformance(t *testing.T) { storetest.RunTRISA(t, storetest.OpenSQLite) }

func TestEmailConformance(t *testing.T) { storetest.RunEmail(t, storetest.OpenSQLite) }

func TestTRPConformance(t *testing.T) { storetest.RunTRP(t, storetest.OpenSQLite) }

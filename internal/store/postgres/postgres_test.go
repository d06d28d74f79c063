package postgres_test

import (
	"testing"

	"github.com/waybill/waybill/internal/store/storetest"
)

func TestConformance(t *testing.T) { storetest.Run(t, storetest.OpenPostgres) }

func TestWebConformance(t *testing.T) { storetest.RunWeb(t, storetest.OpenPostgres) }

func TestDecisionsConformance(t *testing.T) { storetest.RunDecisions(t, storetest.OpenPostgres) }

func TestTRISAConformance(t *testing.T) { storetest.RunTRISA(t, storetest.OpenPostgres) }

func TestEmailConformance(t *testing.T) { storetest.RunEmail(t, storetest.OpenPostgres) }

func TestTRPConformance(t *testing.T) { storetest.RunTRP(t, storetest.OpenPostgres) }

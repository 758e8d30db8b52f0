package drift_test

import (
	"testing"

	"github.com/rbacdrift/rbacdrift/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

package prisma

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds the Prisma schema parser and the model mapping arbitrary
// text, seeded with the fixture schema and hostile inputs: neither may
// panic or hang, and an error names the file.
//
//	go test -fuzz=FuzzParse -fuzztime=1m ./internal/derive/prisma
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "derive", "prisma", "schema.prisma")); err == nil {
		f.Add(string(b))
	}
	for _, s := range []string{
		"datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n",
		"model A {\n  id Int @id @default(autoincrement())\n  n String @db.VarChar(64)\n  @@map(\"a\")\n}\n",
		"model A {\n  id Int @id @default(" + strings.Repeat("[", 200) + ")\n}\n",
		"model A {\n  id Unsupported(\"integer FROM pg_authid FOR UPDATE\") @id\n}\n",
		"enum E {\n  a @map(\"x\\u0000\")\n}\n",
		"model A {\n  id Int @id\n  b B @relation(fields: [bid], references: [id])\n  bid Int\n}\nmodel B {\n  id Int @id\n  a A[]\n}\n",
		"model", "@", "@@", "model A { id Int @", "/// doc\n// c\nmodel A {}\n", "\"", "model A {\n id Int @default(\"\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		s, err := Parse("fuzz.prisma", []byte(src))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.prisma") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		_, _ = ToModel(s)
	})
}

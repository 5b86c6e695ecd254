// SPDX-License-Identifier: MIT
// symtab.hpp on Windows: function names from the COFF symbol table that
// GNU ld leaves in a mingw-w64 image, file:line from its DWARF line table
// (.debug_line), both read from the module's file.
//
// The loader maps neither where it is sure to be read: the symbol table
// lies past the sections (IMAGE_FILE_HEADER.PointerToSymbolTable) and is
// not mapped at all. So a module's file is mapped read-only, once, at the
// first lookup of an address in it, and stays mapped for the process's
// life, with two indexes built beside it in pages of their own
// (VirtualAlloc, never the heap: a traceback may be printed while a
// stopped thread holds the heap's lock):
//   - its functions, sorted by address: the symbols of class external or
//     static of function type, and external labels (our assembly's), in
//     an executable section. A symbol has no size, so an address past a
//     section's last function is named after it;
//   - its line sequences, sorted by address: one per run of contiguous
//     code in .debug_line (a compilation unit's .text, each COMDAT
//     function), with where its opcodes start, so that a lookup runs one
//     sequence's program, not the unit's. Sequences of code the linker
//     discarded keep address 0 and are left out.
// DWARF versions 2 to 5 are read, which is what GCC writes (5 by default).
// A line is the innermost source line at the address: for code inlined
// into the named function it is the inlined function's line (libbacktrace
// on Linux also prints the inlined frames; here only the outer function
// is named).
//
// Each table is read through Reader, which bounds every read by the
// mapped file: a truncated or malformed table ends its parse, it never
// faults. A stripped module (no symbol table) prints no names; a module
// without DWARF prints its names without lines.
//
// The module cache: modules[] is a fixed array of slots; a slot is claimed
// by CAS of its base from 0 (acq_rel: the winner builds the slot, a loser
// that sees the same base waits for it), and published by the release
// store of its state, which readers load with acquire before reading
// anything else of the slot. A slot is never freed or rebuilt: a DLL
// unloaded and another loaded at its base is seen by its image's
// timestamp and size, and gets no names. A thread that faults while
// building a slot and then prints a traceback would wait for itself:
// builder says which thread builds, and that thread gets no names.
#include <windows.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "runtime/symtab.hpp"

namespace cbridge::rt {

namespace {

// Reader reads little-endian values from [p, end). A read past end yields
// zeros and clears ok for good.
struct Reader {
  const uint8_t* p;
  const uint8_t* end;
  bool ok = true;

  size_t left() const { return size_t(end - p); }
  bool has(size_t n) {
    if (ok && left() >= n) return true;
    ok = false;
    p = end;
    return false;
  }
  uint64_t fixed(size_t n) {
    uint64_t v = 0;
    if (!has(n)) return 0;
    memcpy(&v, p, n);
    p += n;
    return v;
  }
  uint8_t u8() { return uint8_t(fixed(1)); }
  uint64_t uleb() {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      uint8_t b = u8();
      if (!ok) return 0;
      if (shift < 64) v |= uint64_t(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
  }
  int64_t sleb() {
    uint64_t v = 0;
    int shift = 0;
    uint8_t b;
    do {
      b = u8();
      if (!ok) return 0;
      if (shift < 64) v |= uint64_t(b & 0x7f) << shift;
      shift += 7;
    } while ((b & 0x80) != 0);
    if (shift < 64 && (b & 0x40) != 0) v |= ~uint64_t(0) << shift;
    return int64_t(v);
  }
  void skip(size_t n) {
    if (has(n)) p += n;
  }
  // A NUL-ended string, or nullptr (and !ok) if none ends before end.
  const char* cstr() {
    const void* nul = ok ? memchr(p, 0, left()) : nullptr;
    if (nul == nullptr) {
      has(left() + 1);
      return nullptr;
    }
    auto* s = reinterpret_cast<const char*>(p);
    p = static_cast<const uint8_t*>(nul) + 1;
    return s;
  }
};

struct Bytes {
  const uint8_t* data = nullptr;
  size_t size = 0;
  Reader at(size_t off) const { return Reader{data + std::min(off, size), data + size}; }
  // The NUL-ended string at off, or nullptr.
  const char* str(uint64_t off) const {
    if (off >= size) return nullptr;
    return memchr(data + off, 0, size - off) != nullptr ? reinterpret_cast<const char*>(data + off) : nullptr;
  }
};

struct Func {
  uint32_t rva;
  uint32_t symbol;  // its index in the COFF symbol table
};

struct Sequence {
  uint64_t lo, hi;   // [lo, hi): its code, as linked (preferred base)
  uint32_t unit;     // its unit's header, an offset in .debug_line
  uint32_t opcodes;  // its first opcode, an offset in .debug_line
};

constexpr int kBuilding = 0, kReady = 1, kFailed = 2;

struct Module {
  std::atomic<uintptr_t> base{0};
  std::atomic<int> state{kBuilding};
  DWORD builder = 0;
  // Set before state is published; read-only after.
  DWORD stamp = 0, imageSize = 0;
  uint64_t preferredBase = 0;
  Bytes symbols, strings;  // the COFF symbol table and its string table
  Bytes line, lineStr, str;  // .debug_line, .debug_line_str, .debug_str
  Func* funcs = nullptr;
  size_t nfuncs = 0;
  Sequence* seqs = nullptr;
  size_t nseqs = 0;
  uint32_t textLo = 0, textHi = 0;  // the executable sections' span
};

constexpr size_t kMaxModules = 64;
Module modules[kMaxModules];

template <class T>
T* pages(size_t n) {
  if (n == 0) return nullptr;
  return static_cast<T*>(VirtualAlloc(nullptr, n * sizeof(T), MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE));
}

// The image as mapped: its timestamp and size, which say whether a slot
// (or the file) is this image's.
bool imageIdentity(const uint8_t* image, size_t size, DWORD* stamp, DWORD* imageSize) {
  IMAGE_DOS_HEADER dos;
  IMAGE_NT_HEADERS64 nt;
  if (size < sizeof dos) return false;
  memcpy(&dos, image, sizeof dos);
  if (dos.e_magic != IMAGE_DOS_SIGNATURE || dos.e_lfanew < 0 || size_t(dos.e_lfanew) > size - sizeof nt) return false;
  memcpy(&nt, image + dos.e_lfanew, sizeof nt);
  if (nt.Signature != IMAGE_NT_SIGNATURE || nt.OptionalHeader.Magic != IMAGE_NT_OPTIONAL_HDR64_MAGIC) return false;
  *stamp = nt.FileHeader.TimeDateStamp;
  *imageSize = nt.OptionalHeader.SizeOfImage;
  return true;
}

// --- the COFF symbol table -----------------------------------------------

struct Coff {
  const IMAGE_SECTION_HEADER* sections;  // in the file; unaligned reads by memcpy
  unsigned nsections;
};

IMAGE_SECTION_HEADER sectionAt(const Coff& c, unsigned i) {
  IMAGE_SECTION_HEADER s;
  memcpy(&s, reinterpret_cast<const uint8_t*>(c.sections) + i * sizeof s, sizeof s);
  return s;
}

// A section's name: its 8 bytes, or "/N", N a decimal offset in the
// string table, for a longer one (GNU ld's form for .debug_*).
bool sectionNamed(const Module& m, const IMAGE_SECTION_HEADER& s, const char* want) {
  char shortName[9] = {};
  memcpy(shortName, s.Name, 8);
  if (shortName[0] != '/') return strcmp(shortName, want) == 0;
  uint64_t off = 0;
  for (const char* d = shortName + 1; *d >= '0' && *d <= '9'; d++) off = off * 10 + uint64_t(*d - '0');
  const char* name = m.strings.str(off);
  return name != nullptr && strcmp(name, want) == 0;
}

IMAGE_SYMBOL symbolAt(const Module& m, uint32_t i) {
  IMAGE_SYMBOL s;
  memcpy(&s, m.symbols.data + size_t(i) * IMAGE_SIZEOF_SYMBOL, IMAGE_SIZEOF_SYMBOL);
  return s;
}

// isFunction: a symbol that names code. Our assembly's functions are
// external labels without a function type; a static one without it is a
// section's or a local label's.
bool isFunction(const IMAGE_SYMBOL& s, const Coff& c) {
  if (s.SectionNumber <= 0 || unsigned(s.SectionNumber) > c.nsections) return false;
  if ((sectionAt(c, unsigned(s.SectionNumber) - 1).Characteristics & IMAGE_SCN_MEM_EXECUTE) == 0) return false;
  bool fn = (s.Type & 0x30) == (IMAGE_SYM_DTYPE_FUNCTION << 4);
  return s.StorageClass == IMAGE_SYM_CLASS_EXTERNAL || (s.StorageClass == IMAGE_SYM_CLASS_STATIC && fn);
}

void indexFunctions(Module& m, const Coff& c) {
  size_t n = 0;
  for (int pass = 0; pass < 2; pass++) {
    size_t k = 0;
    for (uint32_t i = 0; i < m.symbols.size / IMAGE_SIZEOF_SYMBOL; i++) {
      IMAGE_SYMBOL s = symbolAt(m, i);
      if (isFunction(s, c)) {
        if (pass == 1)
          m.funcs[k] = Func{sectionAt(c, unsigned(s.SectionNumber) - 1).VirtualAddress + s.Value, i};
        k++;
      }
      i += s.NumberOfAuxSymbols;
    }
    if (pass == 0) {
      n = k;
      m.funcs = pages<Func>(n);
      if (m.funcs == nullptr) return;
    }
  }
  std::sort(m.funcs, m.funcs + n, [](const Func& a, const Func& b) { return a.rva < b.rva; });
  m.nfuncs = n;
}

void copyName(const Module& m, uint32_t symbol, char* out, size_t size) {
  IMAGE_SYMBOL s = symbolAt(m, symbol);
  const char* name;
  size_t max;
  if (s.N.Name.Short != 0) {
    name = reinterpret_cast<const char*>(s.N.ShortName);
    max = 8;
  } else {
    name = m.strings.str(s.N.Name.Long);
    max = size - 1;
  }
  size_t n = 0;
  if (name != nullptr)
    while (n < max && n < size - 1 && name[n] != 0) n++;
  memcpy(out, name, n);
  out[n] = 0;
}

// --- the DWARF line table ------------------------------------------------

enum : uint8_t {
  DW_LNS_copy = 1, DW_LNS_advance_pc, DW_LNS_advance_line, DW_LNS_set_file, DW_LNS_set_column,
  DW_LNS_negate_stmt, DW_LNS_set_basic_block, DW_LNS_const_add_pc, DW_LNS_fixed_advance_pc,
  DW_LNE_end_sequence = 1, DW_LNE_set_address = 2,
  DW_LNCT_path = 1, DW_LNCT_directory_index = 2,
  DW_FORM_block2 = 0x03, DW_FORM_block4 = 0x04, DW_FORM_data2 = 0x05, DW_FORM_data4 = 0x06,
  DW_FORM_data8 = 0x07, DW_FORM_string = 0x08, DW_FORM_block = 0x09, DW_FORM_block1 = 0x0a,
  DW_FORM_data1 = 0x0b, DW_FORM_strp = 0x0e, DW_FORM_udata = 0x0f, DW_FORM_strx = 0x1a,
  DW_FORM_data16 = 0x1e, DW_FORM_line_strp = 0x1f, DW_FORM_strx1 = 0x25, DW_FORM_strx4 = 0x28,
};

// A unit's header: what its program needs, and where its directory and
// file tables lie.
struct LineUnit {
  int version = 0;
  size_t offsetSize = 4;
  uint8_t minInst = 1, opcodeBase = 1, lineRange = 1;
  int8_t lineBase = 0;
  const uint8_t* stdLengths = nullptr;
  const uint8_t* tables = nullptr;  // the directory table's start
  const uint8_t* program = nullptr;
  const uint8_t* end = nullptr;
};

bool readUnit(const Module& m, size_t off, LineUnit* u) {
  Reader r = m.line.at(off);
  uint64_t len = r.fixed(4);
  if (len == 0xffffffff) {
    u->offsetSize = 8;
    len = r.fixed(8);
  }
  if (!r.ok || len > r.left()) return false;
  u->end = r.p + len;
  r.end = u->end;
  u->version = int(r.fixed(2));
  if (u->version < 2 || u->version > 5) return false;
  if (u->version == 5) r.skip(2);  // address and segment selector sizes
  uint64_t headerLen = r.fixed(u->offsetSize);
  if (!r.ok || headerLen > r.left()) return false;
  u->program = r.p + headerLen;
  u->minInst = r.u8();
  if (u->version >= 4) r.u8();  // maximum operations per instruction: 1 on x86
  r.u8();                       // default_is_stmt
  u->lineBase = int8_t(r.u8());
  u->lineRange = r.u8();
  u->opcodeBase = r.u8();
  u->stdLengths = r.p;
  r.skip(u->opcodeBase > 0 ? u->opcodeBase - 1u : 0);
  u->tables = r.p;
  return r.ok && u->lineRange != 0 && u->opcodeBase != 0;
}

// A DWARF 5 entry's attribute: a string (path forms) or a number.
uint64_t readForm(const Module& m, const LineUnit& u, Reader& r, uint64_t form, const char** s) {
  *s = nullptr;
  switch (form) {
    case DW_FORM_string: *s = r.cstr(); return 0;
    case DW_FORM_line_strp: *s = m.lineStr.str(r.fixed(u.offsetSize)); return 0;
    case DW_FORM_strp: *s = m.str.str(r.fixed(u.offsetSize)); return 0;
    case DW_FORM_strx: case DW_FORM_udata: return r.uleb();
    case DW_FORM_data1: case DW_FORM_strx1: return r.fixed(1);
    case DW_FORM_data2: case DW_FORM_strx1 + 1: return r.fixed(2);
    case DW_FORM_strx1 + 2: return r.fixed(3);
    case DW_FORM_data4: case DW_FORM_strx4: return r.fixed(4);
    case DW_FORM_data8: return r.fixed(8);
    case DW_FORM_data16: r.skip(16); return 0;
    case DW_FORM_block: r.skip(r.uleb()); return 0;
    case DW_FORM_block1: r.skip(r.fixed(1)); return 0;
    case DW_FORM_block2: r.skip(r.fixed(2)); return 0;
    case DW_FORM_block4: r.skip(r.fixed(4)); return 0;
    default: r.has(r.left() + 1); return 0;  // a form a line table does not use
  }
}

// A DWARF 5 table (directories or files): its entry want's path and
// directory index. Leaves r past the table.
void readTable5(const Module& m, const LineUnit& u, Reader& r, uint64_t want, const char** path, uint64_t* dir) {
  constexpr int kMaxFormat = 8;
  uint64_t kind[kMaxFormat], form[kMaxFormat];
  unsigned nformat = r.u8();
  if (nformat > kMaxFormat) {
    r.has(r.left() + 1);
    return;
  }
  for (unsigned i = 0; i < nformat; i++) {
    kind[i] = r.uleb();
    form[i] = r.uleb();
  }
  uint64_t count = r.uleb();
  for (uint64_t e = 0; e < count && r.ok; e++) {
    for (unsigned i = 0; i < nformat; i++) {
      const char* s;
      uint64_t v = readForm(m, u, r, form[i], &s);
      if (e != want) continue;
      if (kind[i] == DW_LNCT_path) *path = s;
      if (kind[i] == DW_LNCT_directory_index) *dir = v;
    }
  }
}

bool absolute(const char* path) {
  return path[0] == '/' || path[0] == '\\' || (path[0] != 0 && path[1] == ':');
}

// fileOf finds file index file's path and directory in u's tables.
void fileOf(const Module& m, const LineUnit& u, uint64_t file, FrameSym* out) {
  Reader r{u.tables, u.program};
  const char* name = nullptr;
  const char* dir = nullptr;
  if (u.version == 5) {
    uint64_t dirIndex = 0;
    const char* unused = nullptr;
    Reader files = r;
    readTable5(m, u, files, ~uint64_t(0), &unused, &dirIndex);  // past the directories
    readTable5(m, u, files, file, &name, &dirIndex);
    uint64_t unusedIndex = 0;
    readTable5(m, u, r, dirIndex, &dir, &unusedIndex);
  } else {
    // Directories and files count from 1; directory 0 is the
    // compilation's, which only the unit's .debug_info names.
    for (const char* d = r.cstr(); d != nullptr && *d != 0; d = r.cstr()) {
    }
    for (uint64_t i = 1; r.ok; i++) {
      const char* f = r.cstr();
      if (f == nullptr || *f == 0) break;
      uint64_t d = r.uleb();
      r.uleb();  // modification time
      r.uleb();  // length
      if (i != file) continue;
      name = f;
      Reader dirs{u.tables, u.program};
      for (uint64_t k = 1; d != 0; k++) {
        const char* s = dirs.cstr();
        if (s == nullptr || *s == 0) break;
        if (k == d) {
          dir = s;
          break;
        }
      }
      break;
    }
  }
  out->file = name;
  out->dir = name != nullptr && !absolute(name) ? dir : nullptr;
}

// A row of the line-number matrix.
struct Row {
  uint64_t address;
  uint64_t file;
  int64_t line;
};

// runSequences runs u's program from the opcode at from, calling
// row(Row, bool endSequence, const uint8_t* sequenceStart) for each row;
// row returns false to stop. It returns false if the program is
// malformed.
template <class F>
bool runSequences(const LineUnit& u, const uint8_t* from, F&& row) {
  Reader r{from, u.end};
  const uint8_t* start = r.p;
  Row s{0, 1, 1};
  while (r.ok && r.left() > 0) {
    uint8_t op = r.u8();
    bool emit = false, endSeq = false;
    if (op >= u.opcodeBase) {
      unsigned adj = op - u.opcodeBase;
      s.address += uint64_t(adj / u.lineRange) * u.minInst;
      s.line += u.lineBase + int(adj % u.lineRange);
      emit = true;
    } else if (op == 0) {
      uint64_t len = r.uleb();
      if (len == 0 || !r.has(len)) return false;
      const uint8_t* next = r.p + len;
      uint8_t sub = r.u8();
      if (sub == DW_LNE_end_sequence) {
        emit = endSeq = true;
      } else if (sub == DW_LNE_set_address && len - 1 <= 8) {
        s.address = r.fixed(len - 1);
      }
      r.p = next;
    } else {
      switch (op) {
        case DW_LNS_copy: emit = true; break;
        case DW_LNS_advance_pc: s.address += r.uleb() * u.minInst; break;
        case DW_LNS_advance_line: s.line += r.sleb(); break;
        case DW_LNS_set_file: s.file = r.uleb(); break;
        case DW_LNS_const_add_pc: s.address += uint64_t((255 - u.opcodeBase) / u.lineRange) * u.minInst; break;
        case DW_LNS_fixed_advance_pc: s.address += r.fixed(2); break;
        default:
          // Operands are ULEB128s, as many as the header says.
          for (unsigned i = 0; i < u.stdLengths[op - 1]; i++) r.uleb();
      }
    }
    if (!emit) continue;
    if (!row(s, endSeq, start)) return true;
    if (endSeq) {
      s = Row{0, 1, 1};
      start = r.p;
    }
  }
  return r.ok;
}

void indexLines(Module& m) {
  // A sequence takes at least its set_address and end_sequence: 14 bytes.
  size_t cap = m.line.size / 14 + 1;
  m.seqs = pages<Sequence>(cap);
  if (m.seqs == nullptr) return;
  size_t n = 0;
  LineUnit u;
  for (size_t off = 0; off < m.line.size && readUnit(m, off, &u); off = size_t(u.end - m.line.data)) {
    uint64_t lo = 0;
    bool first = true;
    runSequences(u, u.program, [&](const Row& row, bool endSeq, const uint8_t* start) {
      if (first) lo = row.address;
      first = endSeq;
      // Sequences the linker discarded keep address 0.
      if (endSeq && lo >= m.preferredBase && row.address > lo && n < cap)
        m.seqs[n++] = Sequence{lo, row.address, uint32_t(off), uint32_t(start - m.line.data)};
      return true;
    });
  }
  std::sort(m.seqs, m.seqs + n, [](const Sequence& a, const Sequence& b) { return a.lo < b.lo; });
  m.nseqs = n;
}

void lineOf(const Module& m, uint64_t addr, FrameSym* out) {
  const Sequence* first = m.seqs;
  const Sequence* s = std::upper_bound(first, first + m.nseqs, addr, [](uint64_t a, const Sequence& q) { return a < q.lo; });
  if (s == first || addr >= (--s)->hi) return;
  LineUnit u;
  if (!readUnit(m, s->unit, &u)) return;
  Row prev{};
  bool have = false, found = false;
  runSequences(u, m.line.data + s->opcodes, [&](const Row& row, bool endSeq, const uint8_t*) {
    if (have && prev.address <= addr && addr < row.address) {
      found = true;
      return false;
    }
    prev = row;
    have = true;
    return !endSeq;
  });
  if (!found || prev.line <= 0) return;
  fileOf(m, u, prev.file, out);
  if (out->file != nullptr) out->line = int(prev.line);
}

// --- the modules ---------------------------------------------------------

// mapFile maps the module's file read-only; the view outlives its handles.
Bytes mapFile(HMODULE mod) {
  wchar_t path[1024];
  DWORD n = GetModuleFileNameW(mod, path, 1024);
  if (n == 0 || n >= 1024) return {};
  HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                         OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (f == INVALID_HANDLE_VALUE) return {};
  LARGE_INTEGER size{};
  HANDLE map = GetFileSizeEx(f, &size) && size.QuadPart > 0
                   ? CreateFileMappingW(f, nullptr, PAGE_READONLY, 0, 0, nullptr)
                   : nullptr;
  CloseHandle(f);
  if (map == nullptr) return {};
  void* view = MapViewOfFile(map, FILE_MAP_READ, 0, 0, 0);
  CloseHandle(map);
  if (view == nullptr) return {};
  return Bytes{static_cast<const uint8_t*>(view), size_t(size.QuadPart)};
}

// build reads the module's file (which must be the mapped image's: same
// timestamp and size) and indexes it; false if it has no symbol table.
bool build(Module& m, HMODULE mod) {
  Bytes file = mapFile(mod);
  DWORD stamp, size;
  if (file.data == nullptr || !imageIdentity(file.data, file.size, &stamp, &size) || stamp != m.stamp ||
      size != m.imageSize)
    return false;
  IMAGE_DOS_HEADER dos;
  IMAGE_NT_HEADERS64 nt;
  memcpy(&dos, file.data, sizeof dos);
  memcpy(&nt, file.data + dos.e_lfanew, sizeof nt);
  m.preferredBase = nt.OptionalHeader.ImageBase;
  const IMAGE_FILE_HEADER& fh = nt.FileHeader;
  size_t sectionsAt = size_t(dos.e_lfanew) + offsetof(IMAGE_NT_HEADERS64, OptionalHeader) + fh.SizeOfOptionalHeader;
  Coff c{reinterpret_cast<const IMAGE_SECTION_HEADER*>(file.data + sectionsAt), fh.NumberOfSections};
  size_t symbolsSize = size_t(fh.NumberOfSymbols) * IMAGE_SIZEOF_SYMBOL;
  if (sectionsAt + c.nsections * sizeof(IMAGE_SECTION_HEADER) > file.size || fh.PointerToSymbolTable == 0 ||
      fh.PointerToSymbolTable > file.size || symbolsSize + 4 > file.size - fh.PointerToSymbolTable)
    return false;
  m.symbols = Bytes{file.data + fh.PointerToSymbolTable, symbolsSize};
  Reader st = file.at(fh.PointerToSymbolTable + symbolsSize);
  size_t stringsSize = size_t(st.fixed(4));
  m.strings = Bytes{m.symbols.data + symbolsSize, std::min(stringsSize, st.left() + 4)};
  m.textLo = ~0u;
  for (unsigned i = 0; i < c.nsections; i++) {
    IMAGE_SECTION_HEADER s = sectionAt(c, i);
    if ((s.Characteristics & IMAGE_SCN_MEM_EXECUTE) != 0) {
      m.textLo = std::min<uint32_t>(m.textLo, s.VirtualAddress);
      m.textHi = std::max<uint32_t>(m.textHi, s.VirtualAddress + s.Misc.VirtualSize);
    }
    size_t rawSize = s.Misc.VirtualSize != 0 ? std::min(s.Misc.VirtualSize, s.SizeOfRawData) : s.SizeOfRawData;
    if (s.PointerToRawData > file.size || rawSize > file.size - s.PointerToRawData) continue;
    Bytes data{file.data + s.PointerToRawData, rawSize};
    if (sectionNamed(m, s, ".debug_line")) m.line = data;
    if (sectionNamed(m, s, ".debug_line_str")) m.lineStr = data;
    if (sectionNamed(m, s, ".debug_str")) m.str = data;
  }
  indexFunctions(m, c);
  indexLines(m);
  return m.nfuncs > 0;
}

// moduleAt returns base's slot once it is built, or nullptr: no
// symbols, another image than the one read, no slot left, or this thread
// is building it.
const Module* moduleAt(uintptr_t base, HMODULE mod) {
  DWORD stamp, size;
  auto* image = reinterpret_cast<const uint8_t*>(base);
  if (!imageIdentity(image, 4096, &stamp, &size)) return nullptr;
  for (Module& m : modules) {
    uintptr_t b = m.base.load(std::memory_order_acquire);
    if (b == 0) {
      if (m.base.compare_exchange_strong(b, base, std::memory_order_acq_rel)) {
        m.builder = GetCurrentThreadId();
        m.stamp = stamp;
        m.imageSize = size;
        bool ok = build(m, mod);
        m.state.store(ok ? kReady : kFailed, std::memory_order_release);
        return ok ? &m : nullptr;
      }
    }
    if (b != base) continue;
    int st;
    while ((st = m.state.load(std::memory_order_acquire)) == kBuilding) {
      if (m.builder == GetCurrentThreadId()) return nullptr;
      SwitchToThread();
    }
    return st == kReady && m.stamp == stamp && m.imageSize == size ? &m : nullptr;
  }
  return nullptr;
}

}  // namespace

bool findFrame(uintptr_t pc, FrameSym* out) {
  out->name[0] = 0;
  out->dir = out->file = nullptr;
  out->line = 0;
  HMODULE mod = nullptr;
  if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                          reinterpret_cast<LPCWSTR>(pc), &mod))
    return false;
  auto base = reinterpret_cast<uintptr_t>(mod);
  const Module* m = moduleAt(base, mod);
  if (m == nullptr) return true;
  uintptr_t rva = pc - base;
  if (rva < m->textLo || rva >= m->textHi) return true;
  const Func* first = m->funcs;
  const Func* f = std::upper_bound(first, first + m->nfuncs, rva, [](uintptr_t a, const Func& q) { return a < q.rva; });
  if (f == first) return true;
  copyName(*m, (--f)->symbol, out->name, sizeof out->name);
  lineOf(*m, rva + m->preferredBase, out);
  return true;
}

}  // namespace cbridge::rt

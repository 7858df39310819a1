/* Test-only shim for running Windows builds of Lacquer (and the validators) under Wine 8.
 *
 * Every Rust >= 1.78 Windows binary imports `ProcessPrng` from `bcryptprimitives.dll`, which
 * Debian 12's Wine 8 does not ship, so neither the plugins nor the validators load. This DLL
 * exports `ProcessPrng` and fills the buffer from `RtlGenRandom` (advapi32's
 * `SystemFunction036`), which Wine has. `cargo xtask validate --target x86_64-pc-windows-gnu`
 * builds it with MinGW-w64 and copies it into its throwaway Wine prefix; it is never shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}

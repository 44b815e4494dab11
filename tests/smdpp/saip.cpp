// SPDX-License-Identifier: Apache-2.0
#include "tests/smdpp/saip.h"

#include "libapdu/asn1.h"
#include "libapdu/error.h"
#include "libapdu/identifiers.h"
#include "libapdu/tlv.h"

namespace lpad::smdpp {

namespace {

constexpr tlv::Tag kHeader = 0xA0;          // ProfileElement.header [0]
constexpr tlv::Tag kHeaderProfileType = 0x82;
constexpr tlv::Tag kHeaderIccid = 0x83;
constexpr tlv::Tag kMf = 0xB0;              // ProfileElement.mf [16]
constexpr tlv::Tag kMfEfIccid = 0xA4;       // PE-MF.ef-iccid [4] File
constexpr tlv::Tag kFillFileContent = 0x83;  // File CHOICE fillFileContent [3]

// Where the two ICCID fields sit in the package (offsets of their 10 value bytes).
struct IccidFields {
    std::size_t header = 0;
    std::size_t ef = 0;
    SaipSummary summary;
};

std::size_t offset_in(ByteView whole, ByteView part) { return static_cast<std::size_t>(part.data() - whole.data()); }

IccidFields locate(ByteView package) {
    IccidFields out;
    auto elements = tlv::parse_all(package, tlv::Mode::Ber);
    out.summary.elements = elements.size();
    if (elements.empty() || elements.front().tag != kHeader)
        fail(Errc::MalformedData, "SAIP: the package does not start with a ProfileHeader (A0)");
    tlv::Reader header = elements.front().reader();
    if (auto type = header.find(kHeaderProfileType))
        out.summary.profile_type = asn1::utf8(type->value, 100, "ProfileHeader.profileType");
    auto iccid = header.find(kHeaderIccid);
    if (!iccid || iccid->value.size() != 10) fail(Errc::MalformedData, "SAIP: ProfileHeader.iccid missing or not 10 bytes");
    out.header = offset_in(package, iccid->value);
    // The header keeps natural digit order: read it through the swapped decoder by swapping first.
    out.summary.iccid = iccid_from_bcd(swap_nibbles(iccid->value));

    bool found = false;
    for (const auto& e : elements) {
        if (e.tag != kMf) continue;
        auto ef = e.reader().find(kMfEfIccid);
        if (!ef) break;
        for (const auto& item : ef->children()) {
            if (item.tag == kFillFileContent && item.value.size() == 10) {
                out.ef = offset_in(package, item.value);
                found = true;
                break;
            }
        }
        break;
    }
    if (!found) fail(Errc::MalformedData, "SAIP: no MF element with 10 bytes of EF.ICCID content");
    return out;
}

}  // namespace

Bytes iccid_header_bcd(std::string_view iccid) {
    return swap_nibbles(iccid_to_bcd(iccid));  // iccid_to_bcd validates 18..20 digits
}

SaipSummary read_saip(ByteView package) { return locate(package).summary; }

Bytes personalise_saip(ByteView package, std::string_view iccid) {
    Bytes ef = iccid_to_bcd(iccid);
    Bytes header = iccid_header_bcd(iccid);
    IccidFields at = locate(package);
    Bytes out(package.begin(), package.end());
    std::copy(header.begin(), header.end(), out.begin() + static_cast<std::ptrdiff_t>(at.header));
    std::copy(ef.begin(), ef.end(), out.begin() + static_cast<std::ptrdiff_t>(at.ef));
    return out;
}

}  // namespace lpad::smdpp

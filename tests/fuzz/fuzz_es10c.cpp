// SPDX-License-Identifier: Apache-2.0
// Fuzz target: every ES10a and ES10c decoder (requests and responses). A decoded value must re-encode, and our
// own encoding must decode to the same bytes again; anything but lpad::Error from the first decode is a bug.
#include <cstdint>
#include <cstdlib>
#include <optional>

#include "libapdu/error.h"
#include "libapdu/es10a.h"
#include "libapdu/es10c.h"

namespace {

template <typename T>
void round_trip(lpad::ByteView in) {
    std::optional<T> v;
    try {
        v = T::decode(in);
    } catch (const lpad::Error&) {
        return;
    }
    lpad::Bytes first = v->encode();
    if (T::decode(first).encode() != first) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lpad::es10;
    lpad::ByteView in(data, size);
    round_trip<ProfileInfo>(in);
    round_trip<ProfileInfoListRequest>(in);
    round_trip<ProfileInfoListResponse>(in);
    round_trip<EnableProfileRequest>(in);
    round_trip<EnableProfileResponse>(in);
    round_trip<DisableProfileRequest>(in);
    round_trip<DisableProfileResponse>(in);
    round_trip<DeleteProfileRequest>(in);
    round_trip<DeleteProfileResponse>(in);
    round_trip<EuiccMemoryResetRequest>(in);
    round_trip<EuiccMemoryResetResponse>(in);
    round_trip<GetEuiccDataRequest>(in);
    round_trip<GetEuiccDataResponse>(in);
    round_trip<SetNicknameRequest>(in);
    round_trip<SetNicknameResponse>(in);
    round_trip<EuiccConfiguredAddressesRequest>(in);
    round_trip<EuiccConfiguredAddressesResponse>(in);
    round_trip<SetDefaultDpAddressRequest>(in);
    round_trip<SetDefaultDpAddressResponse>(in);
    return 0;
}

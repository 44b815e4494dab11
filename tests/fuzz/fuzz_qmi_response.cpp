// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the QMI response parser of the qmi: driver (drivers/qmi/qmi_tlv.h, uim_messages.h): a service
// message SDU as libqmi hands it over (qmi_message_get_data), then every UIM response parser on its TLVs. Whatever
// parses must re-encode to TLVs that parse the same.
#include <cstdint>
#include <cstdlib>

#include "drivers/qmi/qmi_tlv.h"
#include "drivers/qmi/uim_messages.h"
#include "libapdu/error.h"

using namespace lpad;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    qmi::TlvList tlvs;
    try {
        auto m = qmi::decode_service_message(ByteView(data, size));
        if (!equal(qmi::encode_service_message(m), ByteView(data, size))) std::abort();
        tlvs = std::move(m.tlvs);
    } catch (const Error&) {
        try {
            tlvs = qmi::decode_tlvs(ByteView(data, size));
        } catch (const Error&) {
            return 0;
        }
    }
    try {
        auto r = qmi::uim::parse_open_logical_channel_response(tlvs);
        (void)qmi::uim::encode_open_logical_channel_response(r);
    } catch (const Error&) {
    }
    try {
        auto r = qmi::uim::parse_send_apdu_response(tlvs);
        auto again = qmi::uim::parse_send_apdu_response(qmi::uim::encode_send_apdu_response(r));
        if (again.apdu != r.apdu) std::abort();
    } catch (const Error&) {
    }
    try {
        (void)qmi::uim::parse_close_logical_channel_response(tlvs);
    } catch (const Error&) {
    }
    try {
        auto r = qmi::uim::parse_get_slot_status_response(tlvs);
        auto again = qmi::uim::parse_get_slot_status_response(qmi::uim::encode_get_slot_status_response(r));
        if (again.slots.size() != r.slots.size()) std::abort();
    } catch (const Error&) {
    }
    try {
        (void)qmi::uim::parse_send_apdu_request(tlvs);
        (void)qmi::uim::parse_open_logical_channel_request(tlvs);
        (void)qmi::uim::parse_close_logical_channel_request(tlvs);
    } catch (const Error&) {
    }
    return 0;
}

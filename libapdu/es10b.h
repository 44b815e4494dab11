// SPDX-License-Identifier: Apache-2.0
// ES10b (SGP.22 §5.7: LPA ↔ ISD-R, profile download and notifications): every message in one include.
//   es10b_auth.h      GetEUICCChallenge, AuthenticateServer, CancelSession
//   es10b_download.h  PrepareDownload, StoreMetadata/ConfigureISDP/ReplaceSessionKeys, GetRAT, LoadCRL
//   bpp.h             BoundProfilePackage, InitialiseSecureChannel, splitting and card-side reassembly
//   notification.h    ProfileInstallationResult, ListNotification, RetrieveNotificationsList, NotificationSent
#pragma once

#include "libapdu/bpp.h"
#include "libapdu/es10b_auth.h"
#include "libapdu/es10b_download.h"
#include "libapdu/notification.h"

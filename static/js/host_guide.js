// The add-host page's platform guide: "Use …" buttons fill the form's address,
// platform and TLS fields. Without JavaScript the buttons stay hidden and the guide
// is plain text to copy from.
(function () {
  "use strict";

  function fill(button) {
    const data = button.dataset;
    const url = document.getElementById("id_url");
    if (url) {
      url.value = data.fillUrl;
      url.focus();
    }
    const platform = document.getElementById("id_platform_preset");
    if (platform && data.fillPlatform !== undefined) {
      platform.value = data.fillPlatform;
    }
    const tls = document.getElementById("id_tls");
    if (tls) {
      tls.checked = data.fillTls === "1";
    }
  }

  function start() {
    for (const button of document.querySelectorAll("#platform-guide [data-fill-url]")) {
      button.hidden = false;
      button.addEventListener("click", () => fill(button));
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

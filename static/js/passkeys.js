// Passkey sign-in and set-up: <form data-passkey="create|get" data-passkey-options="{json}">.
// Runs the browser's WebAuthn ceremony with the server's options, puts the answer (JSON) in the
// form's hidden `credential` field and posts the form. Without WebAuthn the form stays hidden.
(() => {
  const toBytes = (text) => {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  };
  const toText = (buffer) => {
    const bytes = new Uint8Array(buffer);
    let binary = "";
    bytes.forEach((b) => { binary += String.fromCharCode(b); });
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };
  const withIds = (list) => (list || []).map((item) => ({ ...item, id: toBytes(item.id) }));

  const creationOptions = (options) => ({
    ...options,
    challenge: toBytes(options.challenge),
    user: { ...options.user, id: toBytes(options.user.id) },
    excludeCredentials: withIds(options.excludeCredentials),
  });
  const requestOptions = (options) => ({
    ...options,
    challenge: toBytes(options.challenge),
    allowCredentials: withIds(options.allowCredentials),
  });

  const answer = (credential) => {
    const response = credential.response;
    const fields = { clientDataJSON: toText(response.clientDataJSON) };
    if (response.attestationObject) {
      fields.attestationObject = toText(response.attestationObject);
      if (response.getTransports) fields.transports = response.getTransports();
    } else {
      fields.authenticatorData = toText(response.authenticatorData);
      fields.signature = toText(response.signature);
      if (response.userHandle) fields.userHandle = toText(response.userHandle);
    }
    return JSON.stringify({
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: fields,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
    });
  };

  document.addEventListener("DOMContentLoaded", () => {
    if (!window.PublicKeyCredential || !navigator.credentials) return;
    document.querySelectorAll("form[data-passkey]").forEach((form) => {
      form.hidden = false;
      const choice = form.closest(".passkey-choice");
      if (choice) choice.hidden = false;
      const error = form.querySelector(".passkey-error");
      form.addEventListener("submit", async (event) => {
        const field = form.querySelector("input[name=credential]");
        if (field.value) return;  // the answer is in: let the form post
        event.preventDefault();
        const options = JSON.parse(form.dataset.passkeyOptions);
        try {
          const credential = form.dataset.passkey === "create"
            ? await navigator.credentials.create({ publicKey: creationOptions(options) })
            : await navigator.credentials.get({ publicKey: requestOptions(options) });
          field.value = answer(credential);
          form.submit();
        } catch (problem) {
          error.textContent = form.dataset.passkeyFailed || problem.message;
          error.hidden = false;
        }
      });
    });
  });
})();

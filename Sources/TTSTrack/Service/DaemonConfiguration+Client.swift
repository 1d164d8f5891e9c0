extension DaemonConfiguration {
    /// What the API client is built with: base URL, key, timeout, and the transport from
    /// `api.ca_file`, `api.proxy` (else the proxy variables of `environment`, with `NO_PROXY`)
    /// and `api.http_version`.
    /// - Throws: ``Invalid`` naming the key or variable when the CA file or a proxy URL is unusable.
    public func clientSettings(apiKey: String?, environment: [String: String]) throws(Invalid) -> CambClient.Settings {
        let transport: APITransport
        do {
            let proxy = try APIProxy.resolve(configured: apiProxy, baseURL: apiBaseURL, environment: environment)
            transport = try APITransport(caFile: apiCAFile, proxy: proxy, httpVersion: apiHTTPVersion)
        } catch let error as APIProxy.Invalid {
            throw Invalid(error.description)
        } catch let error as APITransport.Invalid {
            throw Invalid(error.description)
        } catch {
            throw Invalid("\(error)")
        }
        return CambClient.Settings(baseURL: apiBaseURL, apiKey: apiKey, timeout: apiTimeout, transport: transport)
    }
}

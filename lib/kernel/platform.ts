// Whether the addon can exist here (Linux). The faces ask before anything
// else, so that an app developed on macOS or Windows still starts.
export { nativeSupported } from './native';

/** The ignore files used when none is named: the first that exists in the working directory. */
export const DEFAULT_IGNORE_FILES = ['.strataignore.yaml', '.strataignore.yml', '.strataignore', '.trivyignore.yaml', '.trivyignore'];
